import { describeEmbeddingCacheContract } from '@strata/testing';
import { TEST_REDIS_URL, deleteKeys, uniquePrefix } from '../../test/redis-test-support';
import { RedisConnection, RedisUnavailableError } from '../connection/redis-connection';
import { RedisEmbeddingCache } from './redis-embedding-cache';

const connection = RedisConnection.open({ url: TEST_REDIS_URL });
const prefixes: string[] = [];

beforeAll(() => connection.whenReady(5_000));

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(connection, prefix);
  await connection.close();
});

describeEmbeddingCacheContract(RedisEmbeddingCache.name, () => {
  const prefix = uniquePrefix('embedding-contract');
  prefixes.push(prefix);
  return Promise.resolve({
    cache: new RedisEmbeddingCache(connection, { keyPrefix: prefix }),
    teardown: () => deleteKeys(connection, prefix),
  });
});

describe(RedisEmbeddingCache.name, () => {
  let prefix: string;
  let cache: RedisEmbeddingCache;
  const redis = connection.client;

  beforeEach(() => {
    prefix = uniquePrefix('embedding');
    prefixes.push(prefix);
    cache = new RedisEmbeddingCache(connection, { keyPrefix: prefix, ttlSeconds: 3_600 });
  });

  it('stores each vector as little-endian Float32 bytes under its prefixed key, with the TTL', async () => {
    await cache.setMany([['glove:3:abc', [1, -2, 0.5]]]);

    const expected = Buffer.alloc(12);
    [1, -2, 0.5].forEach((value, i) => expected.writeFloatLE(value, i * 4));
    const key = `${prefix}emb:glove:3:abc`;
    await expect(redis.get(redis.commandOptions({ returnBuffers: true }), key)).resolves.toEqual(expected);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(3_500);
    expect(ttl).toBeLessThanOrEqual(3_600);
  });

  it('reads a value that is not a whole number of floats as a miss', async () => {
    await redis.set(`${prefix}emb:broken`, 'abc');
    await expect(cache.getMany(['broken'])).resolves.toEqual([undefined]);
  });

  it('keeps vectors across instances (restarts)', async () => {
    await cache.setMany([['k', [0.25]]]);
    const restarted = new RedisEmbeddingCache(connection, { keyPrefix: prefix });
    await expect(restarted.getMany(['k'])).resolves.toEqual([[0.25]]);
  });

  it('rejects at once while Redis is unreachable, so the caller embeds instead', async () => {
    const offline = RedisEmbeddingCache.open({
      url: 'redis://127.0.0.1:1',
      keyPrefix: prefix,
      maxReconnectDelayMs: 50,
    });
    try {
      await expect(offline.getMany(['k'])).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(offline.setMany([['k', [1]]])).rejects.toBeInstanceOf(RedisUnavailableError);
    } finally {
      await offline.close();
    }
  });
});
