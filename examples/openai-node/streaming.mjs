// Streaming through Strata: a miss streams from the LLM and is stored once complete; a hit replays the same
// chunks (and a stored stream answers non-streaming requests too, and vice versa).
//
//   npm install openai
//   STRATA_URL=http://127.0.0.1:8080 OPENAI_API_KEY=sk-... node streaming.mjs
import OpenAI from 'openai';

const strataUrl = process.env.STRATA_URL ?? 'http://127.0.0.1:8080';
const openai = new OpenAI({
  baseURL: `${strataUrl}/v1`,
  apiKey: process.env.OPENAI_API_KEY ?? 'no-key',
  defaultHeaders: process.env.STRATA_KEY ? { 'X-Strata-Key': process.env.STRATA_KEY } : {},
});

const request = {
  model: process.env.MODEL ?? 'gpt-4o-mini',
  temperature: 0,
  stream: true,
  messages: [
    { role: 'system', content: 'You are the support bot of a shoe shop.' },
    { role: 'user', content: 'Which shoes are good for running on trails?' },
  ],
};

for (const attempt of ['first', 'second']) {
  const { data: stream, response } = await openai.chat.completions.create(request).withResponse();
  process.stdout.write(`${attempt} stream: ${response.headers.get('x-strata-cache')}: `);
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    process.stdout.write(chunk.choices[0]?.delta?.content ?? '');
  }
  process.stdout.write(` [${chunks} chunks]\n`);
  // A streamed miss is stored in the background once the stream is complete.
  await new Promise((resolve) => setTimeout(resolve, 500));
}
