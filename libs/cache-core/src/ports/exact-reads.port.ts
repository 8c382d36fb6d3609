import { type CacheEntry } from '../domain/cache-entry';
import { entryGenerationFields } from '../domain/generation-fields';
import { type ExactStore } from './exact-store.port';
import { type PurgeGenerations } from './purge-generations.port';

export const EXACT_READS = Symbol('ExactReads');

/** An L2 entry and the generation it must carry to be fresh. */
export interface ExactRead {
  readonly entry: CacheEntry;
  /**
   * `PurgeGenerations.latest` of the entry's fields (`entryGenerationFields`), read no earlier than the entry: every
   * purge that finished before the entry was read is in it. The entry is stale when its generation is below it.
   */
  readonly latest: number;
}

/**
 * L2's read path: an entry together with what decides whether it is fresh, so that an adapter holding both in one
 * place answers in one round trip instead of two in sequence (Redis: the entry and the tenant's purge generations
 * share the tenant's hash slot, and one script reads both). The caller compares; nothing here decides freshness.
 *
 * Reading the generations *before* the entry would be wrong: a store that raced a purge can land after the purge's
 * delete, and a generation read earlier than that would call its entry fresh. Hence "no earlier than the entry"
 * (the same instant, in one atomic script, is fine). Default: `sequentialExactReads`.
 */
export interface ExactReads {
  /** The tenant's live entry with this id (what `ExactStore.get` returns) with its `latest`, or undefined. */
  getWithGenerations(tenant: string, id: string): Promise<ExactRead | undefined>;
}

/** The default composition: `ExactStore.get`, then `PurgeGenerations.latest` of the entry's fields (two calls). */
export function sequentialExactReads(l2: ExactStore, generations: PurgeGenerations): ExactReads {
  return {
    async getWithGenerations(tenant, id) {
      const entry = await l2.get(tenant, id);
      if (!entry) return undefined;
      return { entry, latest: await generations.latest(tenant, entryGenerationFields(entry)) };
    },
  };
}
