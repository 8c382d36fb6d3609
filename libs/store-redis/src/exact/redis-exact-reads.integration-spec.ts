import { jest } from '@jest/globals';
import { type CacheLookupRequest } from '@strata/contracts';
import {
  type CacheEntry,
  type Embedder,
  LookupUseCase,
  type MatchVerifier,
  NO_TELEMETRY,
  entryIdFromKey,
  entryTag,
} from '@strata/cache-core';
import { MemoryVectorIndex } from '@strata/store-memory';
import { describeExactReadsContract } from '@strata/testing';
import { createHash } from 'node:crypto';
import { TEST_REDIS_URL, deleteKeys, eventually, standaloneAndCluster } from '../../test/redis-test-support';
import { RedisConnection } from '../connection/redis-connection';
import { RedisPurgeGenerations } from '../generations/redis-purge-generations';
import { RedisExactReads } from './redis-exact-reads';
import { RedisExactStore } from './redis-exact-store';

const redises = standaloneAndCluster();

function fixture(connection: () => RedisConnection, suite: string) {
  return () => {
    const redis = connection();
    const { prefix, teardown } = redises.prefix(redis, suite);
    const store = new RedisExactStore(redis, { keyPrefix: prefix });
    const generations = new RedisPurgeGenerations(redis, { keyPrefix: prefix });
    return Promise.resolve({
      reads: new RedisExactReads(store, generations),
      store,
      generations,
      // What a restart without persistence or an eviction of the generation keys leaves: nothing.
      loseGenerations: () => deleteKeys(redis, `${prefix}g:`),
      teardown,
    });
  };
}

describeExactReadsContract(
  RedisExactReads.name,
  fixture(() => redises.single, 'exact-reads'),
);

describeExactReadsContract(`${RedisExactReads.name} on Redis Cluster`, fixture(redises.cluster, 'cluster-exact-reads'));

/** The exact path never embeds nor verifies. */
const exactOnly: Embedder & MatchVerifier = {
  embed: () => Promise.reject(new Error('the exact path must not embed')),
  verify: () => {
    throw new Error('the exact path must not verify');
  },
};

describe.each([
  ['one server', () => redises.single],
  ['Redis Cluster', () => redises.cluster()],
])(`${RedisExactReads.name} (%s)`, (_, connection) => {
  function setup() {
    const redis = connection();
    const { prefix } = redises.prefix(redis, 'exact-reads-lookup');
    const l2 = new RedisExactStore(redis, { keyPrefix: prefix });
    const generations = new RedisPurgeGenerations(redis, { keyPrefix: prefix });
    const reads = new RedisExactReads(l2, generations);
    const options = { candidates: 5, minCosine: 0, defaultThreshold: 0.9, now: Date.now };
    const lookup = new LookupUseCase(
      l2,
      new MemoryVectorIndex({}),
      exactOnly,
      exactOnly,
      generations,
      NO_TELEMETRY,
      {
        ...options,
      },
      undefined,
      reads,
    );
    const exactKey = createHash('sha256').update(`question ${prefix}`).digest('hex');
    const id = entryIdFromKey(exactKey);
    const request: CacheLookupRequest = {
      tenant: 'acme',
      namespace: 'support',
      model: 'm',
      exactKey,
      contextHash: 'c',
      query: 'price of product 1?',
      mode: 'exact',
    };
    const entry = (generation: number): CacheEntry => ({
      id,
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 1,
      model: 'm',
      exactKey,
      contextHash: 'c',
      query: 'price of product 1?',
      response: { price: 10 },
      tags: ['product:1', entryTag(id)],
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      generation,
    });
    return { redis, l2, generations, reads, lookup, request, entry, id };
  }

  it('reads an entry, its purge generations and the ticket in one command', async () => {
    const { redis, l2, generations, reads, entry, id } = setup();
    await l2.put(entry(await generations.current('acme')));
    const ticket = await generations.current('acme');
    const commands = jest.spyOn(redis, 'run');
    await expect(reads.getWithGenerations('acme', id)).resolves.toMatchObject({ ticket, found: { entry: { id } } });
    await expect(reads.getWithGenerations('acme', 'absent')).resolves.toEqual({ ticket, found: undefined });
    expect(commands).toHaveBeenCalledTimes(2);
    commands.mockRestore();
  });

  it('answers an exact lookup in one command, a hit or a miss with its ticket; a purge between two advances it', async () => {
    const { redis, l2, generations, lookup, request, entry } = setup();
    const absent = { ...request, exactKey: createHash('sha256').update(`absent ${request.exactKey}`).digest('hex') };
    await l2.put(entry(await generations.current('acme')));
    const commands = jest.spyOn(redis, 'run');
    const sent = () => {
      const n = commands.mock.calls.length;
      commands.mockClear();
      return n;
    };

    await expect(lookup.execute(request)).resolves.toMatchObject({ hit: true, tier: 'l2' });
    expect(sent()).toBe(1);
    const miss = await lookup.execute(absent);
    expect(sent()).toBe(1);
    expect(miss).toEqual({ hit: false, ticket: await generations.current('acme') });
    commands.mockClear();

    const purged = await generations.advance('acme', ['t:unrelated']);
    commands.mockClear();
    const next = await lookup.execute(absent);
    expect(sent()).toBe(1);
    expect(next).toEqual({ hit: false, ticket: purged });
    expect(purged).toBeGreaterThan(miss.hit ? Infinity : (miss.ticket ?? Infinity));
    // The entry carries none of the purged fields: still a hit, still one command.
    await expect(lookup.execute(request)).resolves.toMatchObject({ hit: true, tier: 'l2' });
    expect(sent()).toBe(1);
    commands.mockRestore();
  });

  it("answers a miss after the generation state was lost with the new epoch's ticket, which a store may carry", async () => {
    const { redis, l2, generations, lookup, request, entry, id } = setup();
    const before = await generations.current('acme');
    await l2.put(entry(before));
    await deleteKeys(redis, generations.stateKeys('acme')[0]);

    const miss = await lookup.execute(request);
    expect(miss).toEqual({ hit: false, ticket: await generations.current('acme') });
    const ticket = miss.hit ? 0 : (miss.ticket ?? 0);
    expect(ticket).toBeGreaterThan(before);
    // The stale entry is removed in the background; the answer stored with the new ticket replaces it.
    await eventually(async () => expect(await l2.get('acme', id)).toBeUndefined());
    await l2.put(entry(ticket));
    await expect(lookup.execute(request)).resolves.toMatchObject({ hit: true, tier: 'l2' });
  });

  it('serves an L2 hit stored with the current ticket', async () => {
    const { l2, generations, lookup, request, entry } = setup();
    await l2.put(entry(await generations.current('acme')));
    await expect(lookup.execute(request)).resolves.toMatchObject({ hit: true, tier: 'l2' });
  });

  it('never serves an entry invalidated after it was stored, and removes it', async () => {
    const { l2, generations, lookup, request, entry, id } = setup();
    await l2.put(entry(await generations.current('acme')));
    await generations.advance('acme', ['t:product:1']); // an `invalidate`: stamped, nothing deleted

    await expect(lookup.execute(request)).resolves.toMatchObject({ hit: false });
    await eventually(async () => expect(await l2.get('acme', id)).toBeUndefined());
  });

  it('never serves an entry whose write landed after the purge it raced', async () => {
    const { l2, generations, lookup, request, entry } = setup();
    const miss = await lookup.execute(request);
    const ticket = miss.hit ? undefined : miss.ticket;
    if (ticket === undefined) throw new Error('a miss carries a ticket');
    await generations.advance('acme', ['n:support']); // the purge runs while the answer is on its way
    await l2.put(entry(ticket)); // the write passed the staleness check before the purge, and lands after it

    await expect(lookup.execute(request)).resolves.toMatchObject({ hit: false });
  });

  it('never serves an entry stored before the generation state was lost', async () => {
    const { redis, l2, generations, lookup, request, entry } = setup();
    await l2.put(entry(await generations.current('acme')));
    await deleteKeys(redis, generations.stateKeys('acme')[0]);

    await expect(lookup.execute(request)).resolves.toMatchObject({ hit: false });
  });
});

describe(RedisExactReads.name, () => {
  it('refuses an exact store and purge generations on different Redis servers', async () => {
    const otherDatabase = RedisConnection.open({ url: `${TEST_REDIS_URL}/1` });
    const sameServer = RedisConnection.open({ url: TEST_REDIS_URL });
    try {
      await Promise.all([otherDatabase.whenReady(5_000), sameServer.whenReady(5_000)]);
      const store = new RedisExactStore(redises.single);
      expect(() => new RedisExactReads(store, new RedisPurgeGenerations(otherDatabase))).toThrow(/same Redis/);
      expect(() => new RedisExactReads(store, new RedisPurgeGenerations(sameServer))).not.toThrow();
    } finally {
      await Promise.all([otherDatabase.close(), sameServer.close()]);
    }
  });
});
