import { type PurgeGenerations, sequentialExactReads } from '@strata/cache-core';
import { describeExactReadsContract } from '@strata/testing';
import { MemoryPurgeGenerations } from '../generations/memory-purge-generations';
import { MemoryExactStore } from './memory-exact-store';

describeExactReadsContract(
  `sequentialExactReads over ${MemoryExactStore.name} and ${MemoryPurgeGenerations.name}`,
  () => {
    let now = Date.now();
    const build = () => new MemoryPurgeGenerations({ now: () => now });
    // A process restart: the state is gone, the clock goes on.
    let inner = build();
    const generations: PurgeGenerations = {
      current: (tenant) => inner.current(tenant),
      advance: (tenant, fields) => inner.advance(tenant, fields),
      latest: (tenant, fields) => inner.latest(tenant, fields),
    };
    const store = new MemoryExactStore({ maxEntries: 1_000 });
    return Promise.resolve({
      reads: sequentialExactReads(store, generations),
      store,
      generations,
      loseGenerations: () => {
        now += 1;
        inner = build();
        return Promise.resolve();
      },
      teardown: () => Promise.resolve(),
    });
  },
);
