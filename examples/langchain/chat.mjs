// Strata under LangChain JS: `ChatOpenAI` from `@langchain/openai`, pointed at Strata through its `configuration`
// (the options of the `openai` client it wraps). The same question twice: the first call is answered by the LLM
// (MISS) and stored, the second from the cache (HIT).
//
//   npm install @langchain/openai @langchain/core
//   STRATA_URL=http://127.0.0.1:8080 OPENAI_API_KEY=sk-... node chat.mjs
//
// LangChain does not hand response headers to the caller, so a `fetch` wrapper reads Strata's X-Strata-Cache and
// X-Strata-Tier from each response. Nothing else needs it: without the wrapper the calls are cached all the same.
import { HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';

const strataUrl = process.env.STRATA_URL ?? 'http://127.0.0.1:8080';

/** The cache status of the last response from Strata. */
let last = { cache: null, tier: null };
const fetchWithCacheStatus = async (url, init) => {
  const response = await fetch(url, init);
  last = { cache: response.headers.get('x-strata-cache'), tier: response.headers.get('x-strata-tier') };
  return response;
};

const model = new ChatOpenAI({
  model: process.env.MODEL ?? 'gpt-4o-mini',
  apiKey: process.env.OPENAI_API_KEY ?? 'no-key',
  // Only deterministic requests are cached by default.
  temperature: 0,
  configuration: {
    baseURL: `${strataUrl}/v1`,
    defaultHeaders: {
      // What the answer depends on: `strata purge --tag doc:care-guide` (or a data-change event) removes it.
      'X-Strata-Tags': 'doc:care-guide',
      ...(process.env.STRATA_KEY ? { 'X-Strata-Key': process.env.STRATA_KEY } : {}),
    },
    fetch: fetchWithCacheStatus,
  },
});

const messages = [
  new SystemMessage('You are the support bot of a shoe shop.'),
  new HumanMessage('How do I clean suede shoes?'),
];

for (const attempt of ['first', 'second']) {
  const started = performance.now();
  const answer = await model.invoke(messages);
  const ms = (performance.now() - started).toFixed(1);
  const { cache, tier } = last;
  console.log(`${attempt} call: ${cache}${tier ? ` (${tier})` : ''} in ${ms} ms: ${answer.content}`);
  // The proxy stores a miss's answer in the background: give it a moment before asking again.
  if (cache === 'MISS') await new Promise((resolve) => setTimeout(resolve, 500));
}
