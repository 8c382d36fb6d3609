import { describeEmbeddingCacheContract } from '@strata/testing';
import { MemoryEmbeddingCache } from './memory-embedding-cache';

describeEmbeddingCacheContract(MemoryEmbeddingCache.name, () =>
  Promise.resolve({ cache: new MemoryEmbeddingCache({ maxEntries: 100 }), teardown: () => Promise.resolve() }),
);

describe(MemoryEmbeddingCache.name, () => {
  it('drops the least recently used vector when full', async () => {
    const cache = new MemoryEmbeddingCache({ maxEntries: 2 });
    await cache.setMany([
      ['a', [1]],
      ['b', [2]],
    ]);
    await cache.getMany(['a']);
    await cache.setMany([['c', [3]]]);

    await expect(cache.getMany(['a', 'b', 'c'])).resolves.toEqual([[1], undefined, [3]]);
    expect(cache.size).toBe(2);
  });
});
