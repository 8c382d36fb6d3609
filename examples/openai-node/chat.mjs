// Strata as a drop-in for the OpenAI API: the official `openai` client, only its base URL changed.
// The same question twice: the first call is answered by the LLM (MISS) and stored, the second from the cache (HIT).
//
//   npm install openai
//   STRATA_URL=http://127.0.0.1:8080 OPENAI_API_KEY=sk-... node chat.mjs
//
// OPENAI_API_KEY is passed through to the upstream (UPSTREAM_URL) unless Strata has a key of its own for it
// (UPSTREAM_API_KEY). With STRATA_API_KEYS set on the server, send the Strata key as STRATA_KEY too.
import OpenAI from 'openai';

const strataUrl = process.env.STRATA_URL ?? 'http://127.0.0.1:8080';
const openai = new OpenAI({
  baseURL: `${strataUrl}/v1`,
  apiKey: process.env.OPENAI_API_KEY ?? 'no-key',
  defaultHeaders: {
    // What the answer depends on: `strata purge --tag doc:returns-policy` (or a data-change event) removes it.
    'X-Strata-Tags': 'doc:returns-policy',
    ...(process.env.STRATA_KEY ? { 'X-Strata-Key': process.env.STRATA_KEY } : {}),
  },
});

const request = {
  model: process.env.MODEL ?? 'gpt-4o-mini',
  // Only deterministic requests are cached by default.
  temperature: 0,
  messages: [
    { role: 'system', content: 'You are the support bot of a shoe shop.' },
    { role: 'user', content: 'How long do I have to return shoes?' },
  ],
};

for (const attempt of ['first', 'second']) {
  const started = performance.now();
  const { data, response } = await openai.chat.completions.create(request).withResponse();
  const ms = (performance.now() - started).toFixed(1);
  const cache = response.headers.get('x-strata-cache');
  const tier = response.headers.get('x-strata-tier');
  console.log(`${attempt} call: ${cache}${tier ? ` (${tier})` : ''} in ${ms} ms: ${data.choices[0].message.content}`);
  // The proxy stores a miss's answer in the background: give it a moment before asking again.
  if (cache === 'MISS') await new Promise((resolve) => setTimeout(resolve, 500));
}
