import { type CacheLookupRequest, type CacheStoreRequest } from '@strata/contracts';
import { MemoryExactStore, MemoryPurgeGenerations, MemoryVectorIndex } from '@strata/store-memory';
import { type CacheEntry } from '../domain/cache-entry';
import { fingerprintRequest } from '../keys/request-fingerprint';
import { NO_TELEMETRY } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type ExactStore, type PurgeSelector } from '../ports/exact-store.port';
import { type MatchVerifier } from '../ports/match-verifier.port';
import { LookupUseCase } from './lookup.use-case';
import { PurgeUseCase } from './purge.use-case';
import { StoreUseCase } from './store.use-case';

/** A constant embedder and an exact-text verifier: this suite is about ordering, not similarity. */
const embedder: Embedder = { embed: () => Promise.resolve({ model: 'm', vector: [1, 0, 0] }) };
/** Same text: similarity 1; any other text: 0.4 (below the suite's default threshold of 0.5). */
const verifier: MatchVerifier = {
  verify: (q, c, _cosine, threshold) => {
    const similarity = q === c ? 1 : 0.4;
    return {
      accepted: similarity >= threshold,
      similarity,
      reason: similarity >= threshold ? 'match' : 'below-threshold',
    };
  },
};

/** An L2 whose next put waits until released, so a purge can be run in between, deterministically. */
class GatedStore implements ExactStore {
  private gate: { opened: Promise<void>; open: () => void; reached: () => void; waiting: Promise<void> } | undefined;
  constructor(private readonly inner: ExactStore) {}
  holdNextPut(): { reached: Promise<void>; release: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    const waiting = new Promise<void>((r) => (reached = r));
    this.gate = { opened, open, reached, waiting };
    return { reached: waiting, release: open };
  }
  get(tenant: string, id: string) {
    return this.inner.get(tenant, id);
  }
  async put(entry: CacheEntry) {
    const gate = this.gate;
    if (gate) {
      this.gate = undefined;
      gate.reached();
      await gate.opened;
    }
    return this.inner.put(entry);
  }
  purge(selector: PurgeSelector) {
    return this.inner.purge(selector);
  }
  count() {
    return this.inner.count();
  }
  ping() {
    return this.inner.ping();
  }
}

function setup(storeEmbedder: Embedder = embedder) {
  const l2 = new GatedStore(new MemoryExactStore({ maxEntries: 100 }));
  const l3 = new MemoryVectorIndex({});
  const generations = new MemoryPurgeGenerations({ epochStart: () => 0 });
  const lookup = new LookupUseCase(l2, l3, embedder, verifier, generations, NO_TELEMETRY, {
    candidates: 5,
    minCosine: 0,
    defaultThreshold: 0.5,
    now: Date.now,
  });
  const store = new StoreUseCase(l2, l3, storeEmbedder, generations, NO_TELEMETRY);
  const purge = new PurgeUseCase(l2, l3, generations, NO_TELEMETRY);
  const fp = fingerprintRequest({
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: 'm',
    messages: [{ role: 'user', content: 'price of product 1?' }],
  });
  const lookupRequest: CacheLookupRequest = { tenant: 'acme', namespace: 'default', model: 'm', ...fp, mode: 'auto' };
  const storeRequest = (ticket: number | undefined): CacheStoreRequest => ({
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: 'm',
    ...fp,
    response: { price: 10 },
    tags: ['product:1'],
    ttlSeconds: 60,
    storedAt: Date.now(),
    ...(ticket === undefined ? {} : { ticket }),
  });
  return { l2, l3, lookup, store, purge, lookupRequest, storeRequest };
}

describe('purge race: an answer computed before an invalidation never outlives it', () => {
  it('refuses a store whose lookup happened before a purge of its tags', async () => {
    const { lookup, store, purge, lookupRequest, storeRequest } = setup();
    const miss = await lookup.execute(lookupRequest);
    expect(miss.hit).toBe(false);
    const ticket = miss.hit ? undefined : miss.ticket;
    expect(ticket).toBe(0);

    await purge.execute({ tenant: 'acme', tags: ['product:1'] }); // the data changed while the LLM was answering

    const stored = await store.execute(storeRequest(ticket));
    expect(stored).toMatchObject({ stale: true, l2: false, l3: false });
    expect((await lookup.execute(lookupRequest)).hit).toBe(false);
  });

  it('does not serve an entry whose write landed after the purge that should have removed it', async () => {
    const { l2, lookup, store, purge, lookupRequest, storeRequest } = setup();
    const miss = await lookup.execute(lookupRequest);
    const ticket = miss.hit ? undefined : miss.ticket;

    const held = l2.holdNextPut();
    const storing = store.execute(storeRequest(ticket)); // passes the staleness check, then waits at the L2 write
    await held.reached;
    await purge.execute({ tenant: 'acme', tags: ['product:1'] }); // runs entirely while the write is in flight
    held.release();
    await storing;

    expect((await lookup.execute({ ...lookupRequest, mode: 'exact' })).hit).toBe(false);
    expect((await lookup.execute({ ...lookupRequest, mode: 'semantic' })).hit).toBe(false);
  });

  it('does not serve an entry whose background L3 write landed after the purge', async () => {
    let embedded!: () => void;
    const held = new Promise<void>((resolve) => (embedded = resolve));
    const slow: Embedder = { embed: () => held.then(() => ({ model: 'm', vector: [1, 0, 0] })) };
    const { l3, lookup, store, purge, lookupRequest, storeRequest } = setup(slow);
    const miss = await lookup.execute({ ...lookupRequest, mode: 'exact' });
    const ticket = miss.hit ? undefined : miss.ticket;

    const stored = await store.execute({ ...storeRequest(ticket), semantic: 'background' });
    expect(stored).toMatchObject({ l2: true, l3Pending: true });
    await purge.execute({ tenant: 'acme', tags: ['product:1'] }); // before the entry's L3 write
    embedded();
    await store.drain(1_000);

    expect(await l3.count()).toBe(1); // the write landed after the purge...
    expect((await lookup.execute({ ...lookupRequest, mode: 'semantic' })).hit).toBe(false); // ...and is not served
    expect((await lookup.execute(lookupRequest)).hit).toBe(false);
  });

  it('stores and serves an answer looked up after the purge', async () => {
    const { lookup, store, purge, lookupRequest, storeRequest } = setup();
    await purge.execute({ tenant: 'acme', tags: ['product:1'] });
    const miss = await lookup.execute(lookupRequest);
    const ticket = miss.hit ? undefined : miss.ticket;
    expect(ticket).toBe(1);
    expect(await store.execute(storeRequest(ticket))).toMatchObject({ l2: true, l3: true });
    expect(await lookup.execute(lookupRequest)).toMatchObject({ hit: true, tier: 'l2' });
  });

  it('leaves entries of other tags and other tenants fresh', async () => {
    const { lookup, store, purge, lookupRequest, storeRequest } = setup();
    await store.execute(storeRequest(0));
    await purge.execute({ tenant: 'acme', tags: ['product:2'] });
    await purge.execute({ tenant: 'globex', tags: ['product:1'] });
    expect(await lookup.execute(lookupRequest)).toMatchObject({ hit: true });
  });

  it('serves a match accepted under a looser threshold, without remembering it as an exact answer', async () => {
    const { lookup, store, storeRequest, lookupRequest } = setup();
    await store.execute(storeRequest(0));
    const paraphrase = fingerprintRequest({
      tenant: 'acme',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'm',
      messages: [{ role: 'user', content: 'price of product one?' }],
    });
    const loose = await lookup.execute({ ...lookupRequest, ...paraphrase, threshold: 0 });
    expect(loose).toMatchObject({ hit: true, tier: 'l3', backfilled: false });
    expect((await lookup.execute({ ...lookupRequest, ...paraphrase, mode: 'exact' })).hit).toBe(false);
  });
});
