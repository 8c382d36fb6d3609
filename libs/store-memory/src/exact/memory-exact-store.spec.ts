import { type CacheEntry } from '@strata/cache-core';
import { describeExactStoreContract } from '@strata/testing';
import { MemoryExactStore, entrySizeBytes } from './memory-exact-store';

function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => (now += ms) };
}

describeExactStoreContract(MemoryExactStore.name, () => {
  const clock = manualClock();
  const store = new MemoryExactStore({ maxEntries: 1_000, now: clock.now });
  return Promise.resolve({ store, clock, teardown: () => Promise.resolve() });
});

describe(MemoryExactStore.name, () => {
  const clock = manualClock();

  function anEntry(id: string, tags: string[] = []): CacheEntry {
    return {
      id,
      tenant: 'acme',
      namespace: 'support',
      namespaceVersion: 1,
      model: 'm',
      exactKey: id,
      contextHash: 'c',
      query: 'q',
      response: id,
      tags,
      createdAt: clock.now(),
      expiresAt: clock.now() + 60_000,
    };
  }

  it('evicts the least recently used entry when full, and counts the eviction', async () => {
    const store = new MemoryExactStore({ maxEntries: 2, now: clock.now });
    await store.put(anEntry('a'));
    await store.put(anEntry('b'));
    await store.get('acme', 'a');
    await store.put(anEntry('c'));

    await expect(store.get('acme', 'b')).resolves.toBeUndefined();
    await expect(store.get('acme', 'a')).resolves.toBeDefined();
    await expect(store.get('acme', 'c')).resolves.toBeDefined();
    expect(store.evictions).toBe(1);
  });

  it('does not count expiries, replacements or purges as evictions', async () => {
    const store = new MemoryExactStore({ maxEntries: 10, now: clock.now });
    await store.put({ ...anEntry('short'), expiresAt: clock.now() + 10 });
    await store.put(anEntry('replaced', ['t']));
    await store.put(anEntry('replaced', ['t']));
    await store.purge({ tenant: 'acme', tags: ['t'] });
    clock.advance(10);
    await store.count();

    expect(store.evictions).toBe(0);
  });

  it('leaves no index behind once every entry is gone, however it went', async () => {
    const store = new MemoryExactStore({ maxEntries: 2, now: clock.now });
    await store.put(anEntry('evicted', ['y']));
    await store.put({ ...anEntry('expires', ['x']), expiresAt: clock.now() + 10 });
    await store.put(anEntry('purged', ['z']));
    clock.advance(10);
    await store.get('acme', 'expires');
    await store.purge({ tenant: 'acme', tags: ['z'] });
    await store.put(anEntry('replaced', ['old']));
    await store.put(anEntry('replaced', ['new']));
    await store.purge({ tenant: 'acme', tags: ['new'] });

    expect(store.evictions).toBe(1);
    await expect(store.count()).resolves.toBe(0);
    expect(store.indexGroups).toBe(0);
  });
});

describe(`${MemoryExactStore.name} byte bound`, () => {
  const big = (id: string): CacheEntry => ({
    id,
    tenant: 'acme',
    namespace: 'support',
    namespaceVersion: 1,
    model: 'm',
    exactKey: id,
    contextHash: 'c',
    query: 'q',
    response: { answer: 'x'.repeat(100_000) },
    tags: [],
    createdAt: Date.now(),
    expiresAt: Date.now() + 60_000,
  });

  it('evicts the least recently used entries once their estimated size passes maxBytes, whatever the entry count', async () => {
    const store = new MemoryExactStore({ maxEntries: 100_000, maxBytes: 3 * entrySizeBytes(big('a')) });
    for (const id of ['a', 'b', 'c', 'd']) await store.put(big(id));
    expect(await store.get('acme', 'a')).toBeUndefined();
    expect(await store.get('acme', 'd')).toBeDefined();
    expect(store.evictions).toBe(1);
  });

  it('reports each eviction for space to onEvict (and nothing else that removes an entry)', async () => {
    let reported = 0;
    const store = new MemoryExactStore({
      maxEntries: 100_000,
      maxBytes: 2 * entrySizeBytes(big('a')),
      onEvict: () => reported++,
    });
    for (const id of ['a', 'b', 'c', 'd']) await store.put(big(id));
    await store.put(big('d'));
    await store.purge({ tenant: 'acme', namespace: 'support' });
    expect(reported).toBe(2);
    expect(reported).toBe(store.evictions);
  });
});
