/**
 * Measures what one L2 entry costs in Redis (see libs/store-redis/README.md, "Memory per entry").
 * Not a test: run it on demand against the local Redis —
 *   npx jest -c jest.integration.config.ts --testMatch '<rootDir>/libs/store-redis/scripts/*.measure.ts'
 * Writes N entries with a realistic chat-completion response under a fresh prefix, sums MEMORY USAGE
 * (SAMPLES 0 = every field counted) per kind of key, also reports the growth of INFO used_memory, prints
 * the table, and deletes the keys.
 */
import { type CacheEntry, entryTag } from '@strata/cache-core';
import { createHash, randomUUID } from 'node:crypto';
import { TEST_REDIS_URL, deleteKeys, uniquePrefix } from '../test/redis-test-support';
import { RedisConnection } from '../src/connection/redis-connection';
import { RedisExactStore } from '../src/exact/redis-exact-store';

const ENTRIES = 2_000;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function completion(id: string, contentChars: number): CacheEntry['response'] {
  const words =
    'Returns are accepted within thirty days of delivery if the item is unused and in its original packaging. ';
  return {
    id: `chatcmpl-${id.slice(0, 24)}`,
    object: 'chat.completion',
    created: 1_750_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: words.repeat(Math.ceil(contentChars / words.length)).slice(0, contentChars),
          refusal: null,
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 412, completion_tokens: 187, total_tokens: 599 },
    system_fingerprint: 'fp_0123456789',
  };
}

async function usedMemory(connection: RedisConnection): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await connection.client.info('memory'))?.[1]);
}

async function measure(connection: RedisConnection, contentChars: number): Promise<void> {
  const prefix = uniquePrefix('memory');
  const store = new RedisExactStore(connection, { keyPrefix: prefix });
  const now = Date.now();
  const usedBefore = await usedMemory(connection);
  let responseBytes = 0;
  for (let i = 0; i < ENTRIES; i++) {
    const id = randomUUID();
    const response = completion(id, contentChars);
    responseBytes += Buffer.byteLength(JSON.stringify(response));
    await store.put({
      id,
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 1,
      model: 'gpt-4o-mini',
      exactKey: sha256(`k${i}`),
      contextHash: sha256(`c${i % 20}`),
      query: 'what is your return policy for unused items bought online?',
      response,
      tags: [`product:${i % 100}`, 'doc:policy-returns', entryTag(id)],
      createdAt: now,
      expiresAt: now + 86_400_000,
    });
  }

  const bytes = { entry: 0, entryTag: 0, sharedTags: 0, namespace: 0, other: 0 };
  const usedDelta = (await usedMemory(connection)) - usedBefore;
  // SCAN may return a key more than once: measure each key once.
  const keys = new Set<string>();
  for await (const key of connection.client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) keys.add(key);
  for (const key of keys) {
    // Sent raw: node-redis drops `SAMPLES 0` (falsy) and Redis would then estimate from 5 fields.
    const usage = Number(await connection.client.sendCommand(['MEMORY', 'USAGE', key, 'SAMPLES', '0']));
    const rest = key.slice(prefix.length);
    if (rest.startsWith('e:')) bytes.entry += usage;
    else if (rest.startsWith('t:{acme}:$entry:')) bytes.entryTag += usage;
    else if (rest.startsWith('t:')) bytes.sharedTags += usage;
    else if (rest.startsWith('n:')) bytes.namespace += usage;
    else bytes.other += usage;
  }
  const encoding = await connection.client.objectEncoding(
    `${prefix}e:{acme}:${(await connection.client.zRange(`${prefix}n:{acme}:support`, 0, 0))[0]}`,
  );
  await deleteKeys(connection, prefix);

  const per = (n: number): number => Math.round(n / ENTRIES);
  const total = bytes.entry + bytes.entryTag + bytes.sharedTags + bytes.namespace + bytes.other;
  console.log(
    [
      `response JSON ${per(responseBytes)} B (hash encoding: ${encoding}), ${ENTRIES} entries, 3 tags each (2 shared, 1 own $entry tag)`,
      `  entry hash            ${per(bytes.entry)} B`,
      `  own $entry tag zset   ${per(bytes.entryTag)} B`,
      `  shared tag zsets      ${per(bytes.sharedTags)} B (share per entry)`,
      `  namespace zset        ${per(bytes.namespace)} B (share per entry)`,
      `  registry              ${per(bytes.other)} B (share per entry)`,
      `  total                 ${per(total)} B per entry (${(total / responseBytes).toFixed(2)}× the response)`,
      `  INFO used_memory grew ${per(usedDelta)} B per entry (adds keyspace and expiry dict slots; noisy on a shared server)`,
    ].join('\n'),
  );
}

it('measures memory per L2 entry', async () => {
  const connection = RedisConnection.open({ url: TEST_REDIS_URL, commandTimeoutMs: 10_000 });
  try {
    await connection.whenReady(5_000);
    const info = await connection.client.info('server');
    console.log(`Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`);
    for (const contentChars of [700, 1_700]) await measure(connection, contentChars);
  } finally {
    await connection.close();
  }
}, 120_000);
