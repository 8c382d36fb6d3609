import { NamespacePolicies, type NamespaceOverrides, entryFromStoreRequest } from '@strata/cache-core';
import { loadConfig } from '@strata/config';
import {
  type CacheLookupReply,
  type CacheLookupRequest,
  type CacheService,
  type CacheStoreRequest,
  type CallOptions,
  type HitCount,
  ErrorCode,
  type Invalidation,
  type InvalidationPurgeRequest,
  StrataError,
} from '@strata/contracts';
import { L1Cache } from '../l1/l1-cache';
import { GatewayCache } from './gateway-cache';
import { AnsweredRequests } from '../feedback/answered-requests';
import { HitRecorder } from './hit-recorder';
import { TenantStats } from './tenant-stats';

/** A cache service in memory: stores by exact key, answers lookups from them, can be made to fail. */
class FakeCacheService implements CacheService {
  readonly lookups: CacheLookupRequest[] = [];
  /** The request id each lookup, store and ticket named, in order. */
  readonly requestIds: (string | undefined)[] = [];
  readonly stored = new Map<string, CacheStoreRequest>();
  failWith: StrataError | undefined;
  stale = false;
  /** Misses say their semantic step was shed (the embedding service too far behind). */
  busy = false;

  lookup(request: CacheLookupRequest, options: CallOptions): Promise<CacheLookupReply> {
    this.lookups.push(request);
    this.requestIds.push(options.requestId);
    if (this.failWith) return Promise.reject(this.failWith);
    const stored = this.stored.get(request.exactKey);
    if (!stored)
      return Promise.resolve(this.busy ? { hit: false, ticket: 7, semantic: 'busy' } : { hit: false, ticket: 7 });
    return Promise.resolve({ hit: true, tier: 'l2', entry: entryFromStoreRequest(stored, 7) });
  }

  store(request: CacheStoreRequest, options: CallOptions) {
    this.requestIds.push(options.requestId);
    if (this.failWith) return Promise.reject(this.failWith);
    if (!this.stale) this.stored.set(request.exactKey, request);
    return Promise.resolve({
      id: `id-${request.exactKey.slice(0, 8)}`,
      l2: !this.stale,
      l3: !this.stale,
      ...(this.stale ? { stale: true } : { generation: 7 }),
    });
  }

  ticket(_request: unknown, options: CallOptions) {
    this.requestIds.push(options.requestId);
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve({ ticket: 7 });
  }

  getEntry() {
    return Promise.resolve({ entry: null });
  }

  stats() {
    return this.failWith ? Promise.reject(this.failWith) : Promise.resolve({ l2: 4, l3: 3 });
  }

  purge() {
    return Promise.resolve({ l2: 0, l3: 0 });
  }

  feedback() {
    return Promise.resolve({ found: false, action: 'none' as const, wrong: 0, right: 0, thresholdRaise: 0 });
  }

  readonly hits: HitCount[][] = [];

  listEntries() {
    return Promise.resolve({ entries: [], nextCursor: null });
  }

  namespaces() {
    return Promise.resolve({ namespaces: [] });
  }

  recordHits({ hits }: { hits: HitCount[] }) {
    this.hits.push(hits);
    return Promise.resolve({ recorded: hits.length });
  }
}

function setup(namespaces: Record<string, NamespaceOverrides> = {}) {
  const config = loadConfig({}, { log: { level: 'silent' } });
  const l1 = new L1Cache({ maxEntries: 100, maxTtlSeconds: 300 });
  const policies = new NamespacePolicies(
    {
      temperaturePolicy: 'deterministic-only',
      defaultTtlSeconds: 3_600,
      maxTtlSeconds: 86_400,
    },
    namespaces,
  );
  const cache = new FakeCacheService();
  const purges: InvalidationPurgeRequest[] = [];
  const purgeRequestIds: (string | undefined)[] = [];
  const invalidation: Invalidation = {
    purge: (request, options) => {
      purges.push(request);
      purgeRequestIds.push(options.requestId);
      return Promise.resolve({ l2: 2, l3: 1, generation: 8 });
    },
    publish: () => Promise.resolve(),
    recent: () => Promise.resolve({ events: [], deadLetters: [] }),
  };
  const hits = new HitRecorder(cache, config);
  const answered = new AnsweredRequests(100);
  const sut = new GatewayCache(config, l1, policies, cache, invalidation, new TenantStats(), hits, answered);
  return { sut, cache, l1, purges, purgeRequestIds, hits, answered };
}

const request = {
  model: 'gpt-test',
  messages: [{ role: 'user' as const, content: 'How long do returns take?' }],
  params: { temperature: 0 },
};

describe(GatewayCache.name, () => {
  it('bypasses a sampling request without asking the cache service', async () => {
    const { sut, cache } = setup();

    await expect(sut.lookup('acme', { ...request, params: { temperature: 0.7 } })).resolves.toEqual({
      status: 'bypass',
      reason: 'temperature',
    });
    expect(cache.lookups).toEqual([]);
  });

  it('misses with the ticket, then answers a stored request from L1 without asking the cache service again', async () => {
    const { sut, cache } = setup();

    await expect(sut.lookup('acme', request)).resolves.toEqual({ status: 'miss', ticket: 7 });
    await sut.store('acme', request, { answer: '30 days' }, { ticket: 7, tags: ['doc:returns'] });
    const hit = await sut.lookup('acme', request);

    expect(hit).toMatchObject({
      status: 'hit',
      tier: 'l1',
      entry: { tenant: 'acme', response: { answer: '30 days' } },
    });
    expect(cache.lookups).toHaveLength(1);
  });

  it('tells the cache service how long it waits for a lookup, so the semantic step does not wait for an embedding that would come later, unless the lookup is explained', async () => {
    const { sut, cache } = setup();

    await sut.lookup('acme', request);
    await sut.lookup('acme', request, 'auto', undefined, { explain: true });

    expect(cache.lookups[0].budgetMs).toBe(loadConfig({}, { log: { level: 'silent' } }).kafka.requestTimeoutMs);
    // An explained lookup (the console's "why did this miss") waits for the embedding, to show the candidates.
    expect(cache.lookups[1].budgetMs).toBeUndefined();
  });

  it('says when a miss had its semantic step shed because the embedding service was too far behind', async () => {
    const { sut, cache } = setup();
    cache.busy = true;

    await expect(sut.lookup('acme', request)).resolves.toEqual({ status: 'miss', ticket: 7, semanticBusy: true });
  });

  it("carries the namespace's threshold on every lookup, beside a looser one the caller asked for", async () => {
    const { sut, cache } = setup({ support: { similarityThreshold: 0.97 } });

    await sut.lookup('acme', { ...request, namespace: 'support' }, 'auto', 0.9);
    await sut.lookup('acme', { ...request, namespace: 'support' });
    await sut.lookup('acme', request);

    expect(cache.lookups.map((l) => [l.threshold, l.namespaceThreshold])).toEqual([
      [0.9, 0.97],
      [0.97, 0.97],
      [undefined, undefined],
    ]);
  });

  it('fills L1 from an L2 hit', async () => {
    const { sut, cache, l1 } = setup();
    await sut.store('acme', request, { answer: '30 days' }, {});
    const fingerprint = sut.fingerprint('acme', request, sut.policy(undefined));
    l1.delete(fingerprint.exactKey, 'acme');

    await expect(sut.lookup('acme', request)).resolves.toMatchObject({ status: 'hit', tier: 'l2' });
    await expect(sut.lookup('acme', request)).resolves.toMatchObject({ status: 'hit', tier: 'l1' });
    expect(cache.lookups).toHaveLength(1);
  });

  it('counts hits of every tier per entry and sends them to the cache service in one flush', async () => {
    const { sut, cache, l1, hits } = setup();
    const stored = await sut.store('acme', request, { answer: '30 days' }, {});
    await sut.lookup('acme', request);
    await sut.lookup('acme', request);
    l1.delete(stored.entry.exactKey, 'acme');
    await sut.lookup('acme', request);
    await sut.lookup('acme', { ...request, messages: [{ role: 'user' as const, content: 'never stored' }] });
    expect(cache.hits).toHaveLength(0);

    await hits.flush();
    await hits.flush();

    expect(cache.hits).toEqual([[{ tenant: 'acme', id: stored.entry.id, count: 3, lastHitAt: expect.any(Number) }]]);
  });

  it('answers a miss (not an error) when the cache service fails or answers a malformed reply', async () => {
    const { sut, cache } = setup();

    cache.failWith = new StrataError(ErrorCode.CacheUnavailable, 'no reply within 50 ms');
    await expect(sut.lookup('acme', request)).resolves.toEqual({ status: 'miss' });
    cache.failWith = new StrataError(
      ErrorCode.InvalidReply,
      'malformed reply to strata.cache.lookup.v1: entry.tenant: Required',
    );
    await expect(sut.lookup('acme', request)).resolves.toEqual({ status: 'miss' });
  });

  it('refuses a store the cache service found stale, and keeps it out of L1', async () => {
    const { sut, cache } = setup();
    cache.stale = true;

    await expect(sut.store('acme', request, { answer: 'old' }, { ticket: 3 })).rejects.toMatchObject({
      code: ErrorCode.StaleEntry,
    });
    cache.stale = false;
    await expect(sut.lookup('acme', request)).resolves.toMatchObject({ status: 'miss' });
  });

  it('refuses to store a sampling request', async () => {
    const { sut } = setup();

    await expect(sut.store('acme', { ...request, params: { temperature: 1 } }, 'x', {})).rejects.toMatchObject({
      code: ErrorCode.NotCacheable,
    });
  });

  it('purges through the invalidation service with a purge id and evicts its own L1 before answering', async () => {
    const { sut, purges } = setup();
    await sut.store('acme', request, { answer: '30 days' }, { tags: ['doc:returns'] });

    const counts = await sut.purge({ tenant: 'acme', tags: ['doc:returns'] });

    expect(counts).toEqual({ l1: 1, l2: 2, l3: 1 });
    expect(purges).toEqual([{ tenant: 'acme', tags: ['doc:returns'], purgeId: expect.any(String) as string }]);
  });

  it('answers stats without the cache service counts when it is away', async () => {
    const { sut, cache } = setup();

    await expect(sut.stats()).resolves.toEqual({ entries: { l1: 0, l2: 4, l3: 3 } });
    cache.failWith = new StrataError(ErrorCode.CacheUnavailable, 'away');
    await expect(sut.stats()).resolves.toEqual({ entries: { l1: 0, l2: null, l3: null } });
  });

  it('names the request it serves on its calls to the cache service and the invalidation service', async () => {
    const { sut, cache, purgeRequestIds } = setup();

    await sut.lookup('acme', request, 'auto', undefined, { context: { requestId: 'req-lookup' } });
    await sut.store('acme', request, { answer: '30 days' }, {}, { requestId: 'req-store' });
    await sut.ticket('acme', { requestId: 'req-ticket' });
    await sut.purge({ tenant: 'acme', tags: ['doc:returns'] }, { requestId: 'req-purge' });
    await sut.ticket('acme');

    expect(cache.requestIds).toEqual(['req-lookup', 'req-store', 'req-ticket', undefined]);
    expect(purgeRequestIds).toEqual(['req-purge']);
  });

  it('remembers the entry that answered an L2 and an L1 hit under the request id it served, for feedback by request id', async () => {
    const { sut, l1, answered } = setup();
    const stored = await sut.store('acme', request, { answer: '30 days' }, {});
    l1.delete(stored.entry.exactKey, 'acme');
    const by = (requestId: string) => ({ requestId });

    await expect(sut.lookup('acme', request, 'auto', undefined, { context: by('req-l2') })).resolves.toMatchObject({
      tier: 'l2',
    });
    await expect(sut.lookup('acme', request, 'auto', undefined, { context: by('req-l1') })).resolves.toMatchObject({
      tier: 'l1',
    });
    await sut.lookup('acme', request);

    const answer = { entryId: stored.entry.id, exactKey: stored.entry.exactKey };
    expect(answered.find('acme', 'req-l2')).toEqual(answer);
    expect(answered.find('acme', 'req-l1')).toEqual(answer);
    expect(answered.find('globex', 'req-l1')).toBeUndefined();
  });

  it('has no ticket when the cache service does not answer in time', async () => {
    const { sut, cache } = setup();

    await expect(sut.ticket('acme')).resolves.toBe(7);
    cache.failWith = new StrataError(ErrorCode.CacheUnavailable, 'away');
    await expect(sut.ticket('acme')).resolves.toBeUndefined();
  });
});
