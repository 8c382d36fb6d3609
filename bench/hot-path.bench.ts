/**
 * The gateway's per-request CPU on a hit, piece by piece: validating the body, fingerprinting the
 * request (canonical JSON + two SHA-256), and the L1 read. Reports ns/op (median of 7 timed rounds).
 *
 * Usage: npm run build && node dist/bench/hot-path.bench.js
 */
import { type CacheEntry, canonicalJson, fingerprintRequest } from '@strata/cache-core';
import { lookupRequestSchema } from '@strata/contracts';
import { L1Cache } from '@strata/service-gateway';
import { measureNsPerOp } from './support/ns-per-op';

const body = {
  model: 'gpt-4o-mini',
  messages: [
    {
      role: 'system',
      content:
        'You are the support assistant of a shoe shop. Answer briefly and politely, in the language of the question.',
    },
    { role: 'user', content: 'Hi, I bought running shoes last week.' },
    { role: 'assistant', content: 'Hello! How can I help you with your running shoes?' },
    { role: 'user', content: 'How long do I have to return them if they do not fit?' },
  ],
  params: { temperature: 0, max_tokens: 256, top_p: 1 },
};

const measure = (name: string, iterations: number, fn: (i: number) => unknown): void =>
  measureNsPerOp(name, iterations, fn, 44);

const fp = fingerprintRequest({
  tenant: 'acme',
  namespace: 'default',
  namespaceVersion: 1,
  model: body.model,
  messages: body.messages,
  params: body.params,
});
const l1 = new L1Cache({ maxEntries: 10_000, maxTtlSeconds: 300 });
const now = Date.now();
const entry: CacheEntry = {
  id: 'e',
  tenant: 'acme',
  namespace: 'default',
  namespaceVersion: 1,
  model: body.model,
  exactKey: fp.exactKey,
  contextHash: fp.contextHash,
  query: fp.query,
  response: { choices: [{ message: { role: 'assistant', content: '30 days.' } }] },
  tags: ['doc:returns', '$entry:e'],
  createdAt: now,
  expiresAt: now + 3_600_000,
  generation: 0,
};
for (let i = 0; i < 9_999; i++) l1.set({ ...entry, exactKey: `${i}`.padStart(64, '0') });
l1.set(entry);

measure('zod: lookup request body', 50_000, () => lookupRequestSchema.parse(body));
measure('canonicalJson(request)', 50_000, () => canonicalJson(body));
measure('fingerprintRequest (exact key + context)', 50_000, () =>
  fingerprintRequest({
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: body.model,
    messages: body.messages,
    params: body.params,
  }),
);
measure('L1Cache.get (hit, 10k entries)', 500_000, () => l1.get(fp.exactKey, 'acme'));
measure('L1Cache.get (miss)', 500_000, () => l1.get('f'.repeat(64), 'acme'));
