import { type CacheEntry, entryTag } from '@strata/cache-core';
import { describeExactStoreContract } from '@strata/testing';
import { randomUUID } from 'node:crypto';
import { TEST_REDIS, TEST_REDIS_URL, deleteKeys, eventually, uniquePrefix } from '../../test/redis-test-support';
import { ToggleProxy } from '../../test/toggle-proxy';
import { LuaScript } from '../connection/lua-script';
import { RedisConnection, RedisTimeoutError, RedisUnavailableError } from '../connection/redis-connection';
import { RedisExactStore } from './redis-exact-store';

const connection = RedisConnection.open({ url: TEST_REDIS_URL });
const prefixes: string[] = [];

beforeAll(() => connection.whenReady(5_000));

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(connection, prefix);
  await connection.close();
});

function manualClock(): { now: () => number; advance: (ms: number) => void } {
  // Starts at the real time so that Redis's own expiry (real time) never precedes the store's.
  let now = Date.now();
  return { now: () => now, advance: (ms) => (now += ms) };
}

describeExactStoreContract(RedisExactStore.name, () => {
  const prefix = uniquePrefix('exact-contract');
  prefixes.push(prefix);
  const clock = manualClock();
  const store = new RedisExactStore(connection, { keyPrefix: prefix, now: clock.now, purgeBatchSize: 8 });
  return Promise.resolve({ store, clock, teardown: () => deleteKeys(connection, prefix) });
});

describe(RedisExactStore.name, () => {
  let prefix: string;
  let clock: ReturnType<typeof manualClock>;
  let store: RedisExactStore;
  const redis = connection.client;

  beforeEach(() => {
    prefix = uniquePrefix('exact');
    prefixes.push(prefix);
    clock = manualClock();
    store = new RedisExactStore(connection, { keyPrefix: prefix, now: clock.now, purgeBatchSize: 16 });
  });

  function anEntry(overrides: Partial<CacheEntry> = {}): CacheEntry {
    const id = overrides.id ?? randomUUID();
    return {
      id,
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 1,
      model: 'gpt-4o-mini',
      exactKey: id,
      contextHash: 'ctx',
      query: 'q',
      response: { answer: id },
      tags: [entryTag(id)],
      createdAt: clock.now(),
      expiresAt: clock.now() + 60_000,
      ...overrides,
    };
  }

  const entryKey = (id: string, tenant = 'acme'): string => `${prefix}e:{${tenant}}:${id}`;
  const tagKey = (tenant: string, tag: string): string => `${prefix}t:{${tenant}}:${tag}`;
  const namespaceKey = (tenant: string, namespace: string): string => `${prefix}n:{${tenant}}:${namespace}`;

  it('writes the entry as a hash with the schema fields, expiring at expiresAt', async () => {
    const entry = anEntry({ tags: ['product:1'] });
    await store.put(entry);

    const hash = await redis.hGetAll(entryKey(entry.id));
    expect(hash).toEqual({
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: '1',
      model: 'gpt-4o-mini',
      exactKey: entry.id,
      contextHash: 'ctx',
      query: 'q',
      response: JSON.stringify(entry.response),
      tags: '["product:1"]',
      createdAt: String(entry.createdAt),
      expiresAt: String(entry.expiresAt),
    });
    await expect(redis.pExpireTime(entryKey(entry.id))).resolves.toBe(entry.expiresAt);
  });

  it('indexes the entry under its tags and namespace, scored by expiresAt', async () => {
    const entry = anEntry({ tags: ['a', 'b'] });
    await store.put(entry);

    for (const key of [tagKey('acme', 'a'), tagKey('acme', 'b'), namespaceKey('acme', 'support')]) {
      await expect(redis.zScore(key, entry.id)).resolves.toBe(entry.expiresAt);
      await expect(redis.pExpireTime(key)).resolves.toBe(entry.expiresAt);
    }
  });

  it('lets index keys live as long as their longest-lived member, never shorter', async () => {
    const long = anEntry({ tags: ['a'], expiresAt: clock.now() + 120_000 });
    const short = anEntry({ tags: ['a'], expiresAt: clock.now() + 30_000 });
    await store.put(long);
    await store.put(short);
    await expect(redis.pExpireTime(tagKey('acme', 'a'))).resolves.toBe(long.expiresAt);
  });

  it('removes the memberships a replacement no longer has, in the same step', async () => {
    const first = anEntry({ tags: ['a', 'b'], namespace: 'old' });
    await store.put(first);
    await store.put(anEntry({ id: first.id, tags: ['b', 'c'], namespace: 'new' }));

    await expect(redis.exists([tagKey('acme', 'a'), namespaceKey('acme', 'old')])).resolves.toBe(0);
    await expect(redis.zScore(tagKey('acme', 'b'), first.id)).resolves.not.toBeNull();
    await expect(redis.zScore(tagKey('acme', 'c'), first.id)).resolves.not.toBeNull();
    await expect(redis.zScore(namespaceKey('acme', 'new'), first.id)).resolves.not.toBeNull();
  });

  it('leaves no memberships behind after a purge', async () => {
    const entry = anEntry({ tags: ['a', 'b'] });
    const other = anEntry({ tags: ['b'] });
    await store.put(entry);
    await store.put(other);

    await expect(store.purge({ tenant: 'acme', tags: ['a'] })).resolves.toBe(1);

    await expect(redis.exists([entryKey(entry.id), tagKey('acme', 'a')])).resolves.toBe(0);
    await expect(redis.zRange(tagKey('acme', 'b'), 0, -1)).resolves.toEqual([other.id]);
    await expect(redis.zRange(namespaceKey('acme', 'support'), 0, -1)).resolves.toEqual([other.id]);
  });

  it('drops a membership whose entry has gone (expired) when a purge meets it', async () => {
    const entry = anEntry({ tags: ['a'] });
    await store.put(entry);
    await redis.del(entryKey(entry.id)); // what Redis's own expiry does

    await expect(store.purge({ tenant: 'acme', tags: ['a'] })).resolves.toBe(0);
    await expect(redis.exists(tagKey('acme', 'a'))).resolves.toBe(0);
  });

  it('never purges an entry through a membership it does not have, and drops that membership', async () => {
    const entry = anEntry({ tags: ['a'] });
    await store.put(entry);
    await redis.zAdd(tagKey('acme', 'intruder'), { score: entry.expiresAt, value: entry.id });

    await expect(store.purge({ tenant: 'acme', tags: ['intruder'] })).resolves.toBe(0);
    await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
    await expect(redis.exists(tagKey('acme', 'intruder'))).resolves.toBe(0);
  });

  it('trims memberships of expired entries when the index is next written', async () => {
    await store.put(anEntry({ tags: ['a'], expiresAt: clock.now() + 1_000 }));
    clock.advance(1_000);
    const live = anEntry({ tags: ['a'] });
    await store.put(live);

    await expect(redis.zRange(tagKey('acme', 'a'), 0, -1)).resolves.toEqual([live.id]);
    await expect(redis.zRange(namespaceKey('acme', 'support'), 0, -1)).resolves.toEqual([live.id]);
  });

  it('forgets an entry when Redis expires it in real time', async () => {
    const realTime = new RedisExactStore(connection, { keyPrefix: prefix });
    const entry = anEntry({ createdAt: Date.now(), expiresAt: Date.now() + 200 });
    await realTime.put(entry);
    await expect(realTime.get(entry.tenant, entry.id)).resolves.toEqual(entry);

    await eventually(async () => {
      await expect(redis.exists(entryKey(entry.id))).resolves.toBe(0);
    });
    await expect(realTime.get(entry.tenant, entry.id)).resolves.toBeUndefined();
    await expect(realTime.count()).resolves.toBe(0);
    await expect(realTime.purge({ tenant: 'acme', tags: [entryTag(entry.id)] })).resolves.toBe(0);
  });

  it('purges indexes larger than one step, narrowed or not, in atomic steps', async () => {
    // 300 members: past the 128 of a compact (listpack) zset, so ZSCAN really walks a cursor.
    const inSupport = Array.from({ length: 180 }, () => anEntry({ tags: ['bulk'], namespace: 'support' }));
    const inSales = Array.from({ length: 120 }, () => anEntry({ tags: ['bulk'], namespace: 'sales' }));
    for (const entry of [...inSupport, ...inSales]) await store.put(entry);
    await expect(redis.objectEncoding(tagKey('acme', 'bulk'))).resolves.toBe('skiplist');

    await expect(store.purge({ tenant: 'acme', tags: ['bulk'], namespace: 'support' })).resolves.toBe(180);
    await expect(store.count()).resolves.toBe(120);
    await expect(redis.zCard(tagKey('acme', 'bulk'))).resolves.toBe(120);

    await expect(store.purge({ tenant: 'acme', tags: ['bulk'] })).resolves.toBe(120);
    await expect(store.count()).resolves.toBe(0);
    await expect(redis.keys(`${prefix}*`)).resolves.toEqual([`${prefix}tenants`]);
  });

  it('escapes the tenant in keys and keeps all of its keys in one hash-tag slot', async () => {
    const entry = anEntry({ tenant: 'a:b%c{d}', tags: ['x:y', '{z}'] });
    await store.put(entry);
    const tenant = 'a%3Ab%25c%7Bd%7D';
    await expect(redis.exists(entryKey(entry.id, tenant))).resolves.toBe(1);
    await expect(redis.zScore(tagKey(tenant, 'x:y'), entry.id)).resolves.not.toBeNull();
    await expect(redis.zScore(tagKey(tenant, '{z}'), entry.id)).resolves.not.toBeNull();
    const slots = await Promise.all(
      [
        entryKey(entry.id, tenant),
        tagKey(tenant, 'x:y'),
        tagKey(tenant, '{z}'),
        namespaceKey(tenant, 'support'),
        `${prefix}namespaces:{${tenant}}`,
      ].map((key) =>
        redis
          .sendCommand<number>(['CLUSTER', 'KEYSLOT', key])
          .catch(() => key.slice(key.indexOf('{'), key.indexOf('}') + 1)),
      ),
    );
    expect(new Set(slots).size).toBe(1);
  });

  it('stores strings with lone surrogates faithfully and purges them by their own tag only (no silent L2 loss)', async () => {
    const entry = anEntry({
      tenant: 'acme\udc00',
      namespace: 'ns\ud800',
      query: 'price of \ud83d?',
      tags: ['price:\ud800', 'plain'],
    });
    const sibling = anEntry({ tenant: 'acme\udc00', namespace: 'ns\ud800', tags: ['price:\ud801'] });
    await store.put(entry);
    await store.put(sibling);
    await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
    await expect(store.get('acme\udc01', entry.id)).resolves.toBeUndefined();

    await expect(store.purge({ tenant: entry.tenant, tags: ['price:\ud800'] })).resolves.toBe(1);
    await expect(store.get(entry.tenant, entry.id)).resolves.toBeUndefined();
    await expect(store.get(sibling.tenant, sibling.id)).resolves.toEqual(sibling);
    await expect(store.purge({ tenant: sibling.tenant, namespace: 'ns\ud800' })).resolves.toBe(1);
  });
});

describe(LuaScript.name, () => {
  it('sends the script in full when the server does not know it yet, then by its SHA', async () => {
    const marker = randomUUID();
    const script = new LuaScript(`return '${marker}'`);
    await expect(connection.script(script, [], [])).resolves.toBe(marker);
    await expect(connection.script(script, [], [])).resolves.toBe(marker);
  });
});

describe(`${RedisExactStore.name} while Redis is unreachable`, () => {
  let proxy: ToggleProxy;
  let store: RedisExactStore;
  const prefix = uniquePrefix('exact-outage');
  prefixes.push(prefix);

  beforeEach(async () => {
    proxy = await ToggleProxy.start(TEST_REDIS);
  });

  afterEach(async () => {
    await store.close();
    await proxy.stop();
  });

  function anEntry(): CacheEntry {
    const id = randomUUID();
    const now = Date.now();
    return {
      id,
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 1,
      model: 'm',
      exactKey: id,
      contextHash: 'c',
      query: 'q',
      response: 'r',
      tags: ['outage'],
      createdAt: now,
      expiresAt: now + 60_000,
    };
  }

  it('rejects every call at once while Redis is down, and serves again when it returns', async () => {
    store = RedisExactStore.open({ url: proxy.url, keyPrefix: prefix, maxReconnectDelayMs: 50 });
    await store.redis.whenReady(5_000);
    const entry = anEntry();
    await store.put(entry);

    await proxy.cut();
    await eventually(async () => {
      await expect(store.ping()).rejects.toBeInstanceOf(RedisUnavailableError);
    });
    await expect(store.get(entry.tenant, entry.id)).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(store.put(anEntry())).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(store.purge({ tenant: 'acme', tags: ['outage'] })).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(store.count()).rejects.toBeInstanceOf(RedisUnavailableError);

    await proxy.restore();
    await eventually(async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
    await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
  });

  it('opens without Redis and becomes usable once Redis appears', async () => {
    await proxy.cut();
    store = RedisExactStore.open({ url: proxy.url, keyPrefix: prefix, maxReconnectDelayMs: 50 });
    await expect(store.ping()).rejects.toBeInstanceOf(RedisUnavailableError);

    await proxy.restore();
    await eventually(async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });

  it('rejects a call Redis does not answer in time (hung server), and recovers', async () => {
    store = RedisExactStore.open({ url: proxy.url, keyPrefix: prefix, commandTimeoutMs: 100 });
    await store.redis.whenReady(5_000);
    const entry = anEntry();
    await store.put(entry);

    proxy.stall();
    await expect(store.get(entry.tenant, entry.id)).rejects.toBeInstanceOf(RedisTimeoutError);

    await proxy.restore();
    await eventually(async () => {
      await expect(store.get(entry.tenant, entry.id)).resolves.toEqual(entry);
    });
  });
});
