// Strata as a drop-in for the Anthropic Messages API: the official `@anthropic-ai/sdk` client, only its base URL
// changed. The same question twice: the first call is answered by Claude (MISS) and stored, the second from the
// cache (HIT).
//
//   npm install @anthropic-ai/sdk
//   STRATA_URL=http://127.0.0.1:8080 ANTHROPIC_API_KEY=sk-ant-... node messages.mjs
//
// ANTHROPIC_API_KEY is passed through to the upstream (ANTHROPIC_UPSTREAM_URL) unless Strata has a key of its own
// for it (ANTHROPIC_API_KEY on the server). With STRATA_API_KEYS set on the server, send the Strata key as
// STRATA_KEY too.
import Anthropic from '@anthropic-ai/sdk';

const strataUrl = process.env.STRATA_URL ?? 'http://127.0.0.1:8080';
const anthropic = new Anthropic({
  // The SDK appends /v1/messages itself.
  baseURL: strataUrl,
  apiKey: process.env.ANTHROPIC_API_KEY ?? 'no-key',
  defaultHeaders: {
    // What the answer depends on: `strata purge --tag doc:shipping-policy` (or a data-change event) removes it.
    'X-Strata-Tags': 'doc:shipping-policy',
    ...(process.env.STRATA_KEY ? { 'X-Strata-Key': process.env.STRATA_KEY } : {}),
  },
});

const request = {
  model: process.env.MODEL ?? 'claude-haiku-4-5',
  max_tokens: 256,
  // Only deterministic requests are cached by default.
  temperature: 0,
  system: 'You are the support bot of a shoe shop.',
  messages: [{ role: 'user', content: 'How long does shipping to Austria take?' }],
};

for (const attempt of ['first', 'second']) {
  const started = performance.now();
  const { data, response } = await anthropic.messages.create(request).withResponse();
  const ms = (performance.now() - started).toFixed(1);
  const cache = response.headers.get('x-strata-cache');
  const tier = response.headers.get('x-strata-tier');
  const text = data.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
  console.log(`${attempt} call: ${cache}${tier ? ` (${tier})` : ''} in ${ms} ms: ${text}`);
  // The proxy stores a miss's answer in the background: give it a moment before asking again.
  if (cache === 'MISS') await new Promise((resolve) => setTimeout(resolve, 500));
}
