import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type EmbeddingCache } from '@strata/embedding';

export interface EmbeddingCacheFixture {
  /** A fresh, empty cache. */
  readonly cache: EmbeddingCache;
  /** Releases the cache and removes whatever it wrote. */
  teardown(): Promise<void>;
}

/** What a Float32 store gives back for `vector`: every adapter stores vectors as Float32. */
function float32(vector: number[]): number[] {
  return Array.from(Float32Array.from(vector));
}

/**
 * The behaviour every `EmbeddingCache` adapter must have. Call it at the top level of a spec file with a
 * factory that builds a fresh cache per test.
 */
export function describeEmbeddingCacheContract(name: string, factory: () => Promise<EmbeddingCacheFixture>): void {
  describe(`EmbeddingCache contract: ${name}`, () => {
    let fixture: EmbeddingCacheFixture;
    let cache: EmbeddingCache;

    beforeEach(async () => {
      fixture = await factory();
      cache = fixture.cache;
    });

    afterEach(async () => {
      await fixture.teardown();
    });

    it('misses every key it never stored', async () => {
      await expect(cache.getMany(['model:3:aaa', 'model:3:bbb'])).resolves.toEqual([undefined, undefined]);
    });

    it('returns stored vectors in the order of the keys asked for, misses in place', async () => {
      const a = [0.5, -0.25, 1];
      const b = [0.1, 0.2, 0.3];
      await cache.setMany([
        ['model:3:a', a],
        ['model:3:b', b],
      ]);

      await expect(cache.getMany(['model:3:b', 'model:3:missing', 'model:3:a', 'model:3:b'])).resolves.toEqual([
        float32(b),
        undefined,
        float32(a),
        float32(b),
      ]);
    });

    it('returns exactly the Float32 values of what was stored', async () => {
      const vector = [Math.PI, -Math.E, 1e-8, -0, 3.4e38, 0.1];
      await cache.setMany([['model:6:x', vector]]);
      const [stored] = await cache.getMany(['model:6:x']);
      expect(stored).toEqual(float32(vector));
      expect(stored).toHaveLength(6);
    });

    it('keeps full-size vectors (1536 dimensions)', async () => {
      const vector = Array.from({ length: 1536 }, (_, i) => Math.sin(i) / 3);
      await cache.setMany([['text-embedding-3-small:1536:h', vector]]);
      await expect(cache.getMany(['text-embedding-3-small:1536:h'])).resolves.toEqual([float32(vector)]);
    });

    it('overwrites a key stored again', async () => {
      await cache.setMany([['model:2:k', [1, 2]]]);
      await cache.setMany([['model:2:k', [3, 4]]]);
      await expect(cache.getMany(['model:2:k'])).resolves.toEqual([[3, 4]]);
    });

    it('accepts empty requests', async () => {
      await expect(cache.setMany([])).resolves.toBeUndefined();
      await expect(cache.getMany([])).resolves.toEqual([]);
    });

    it('does not hand out its own copy: changing a returned vector changes nothing stored', async () => {
      await cache.setMany([['model:2:m', [1, 2]]]);
      const [first = []] = await cache.getMany(['model:2:m']);
      first[0] = 99;
      await expect(cache.getMany(['model:2:m'])).resolves.toEqual([[1, 2]]);
    });
  });
}
