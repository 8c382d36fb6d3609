import { describeEntryCatalogContract } from '@strata/testing';
import { MemoryExactStore } from '../exact/memory-exact-store';
import { MemoryPurgeGenerations } from '../generations/memory-purge-generations';
import { MemoryEntryCatalog } from './memory-entry-catalog';
import { MemoryEntryPopularity } from './memory-entry-popularity';

describeEntryCatalogContract(MemoryEntryCatalog.name, () => {
  const store = new MemoryExactStore({ maxEntries: 1_000 });
  return Promise.resolve({
    store,
    catalog: new MemoryEntryCatalog(store),
    popularity: new MemoryEntryPopularity(),
    generations: new MemoryPurgeGenerations(),
    teardown: () => Promise.resolve(),
  });
});

describe(MemoryEntryPopularity.name, () => {
  it('forgets the least hit entries of a tenant past its bound', async () => {
    const popularity = new MemoryEntryPopularity({ maxEntriesPerTenant: 2 });
    await popularity.record([
      { tenant: 'acme', id: 'a', count: 3, lastHitAt: 1 },
      { tenant: 'acme', id: 'b', count: 1, lastHitAt: 2 },
      { tenant: 'acme', id: 'c', count: 2, lastHitAt: 3 },
      { tenant: 'globex', id: 'b', count: 1, lastHitAt: 4 },
    ]);

    expect((await popularity.ranked('acme', 'hits', 0, 10)).map((r) => r.id)).toEqual(['a', 'c']);
    expect(await popularity.ranked('globex', 'hits', 0, 10)).toEqual([{ id: 'b', hits: 1, lastHitAt: 4 }]);
  });
});
