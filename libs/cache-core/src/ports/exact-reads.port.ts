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

/** What the lookup's exact read answers: its ticket, and the entry with its `latest` when there is one. */
export interface TicketedExactRead {
  /**
   * `PurgeGenerations.current` of the tenant (starting a new epoch when the state is missing, as `current` does), read
   * during this call: after the lookup began and before it can answer. The ticket a miss hands out.
   */
  readonly ticket: number;
  /** The tenant's live entry with this id (what `ExactStore.get` returns) with its `latest`; undefined when none. */
  readonly found: ExactRead | undefined;
}

/**
 * L2's read path: an entry together with what decides whether it is fresh, and the tenant's current purge generation
 * (the lookup's ticket), so that an adapter holding all of them in one place answers in one round trip (Redis: the
 * entry and the tenant's purge generations share the tenant's hash slot, and one script reads them). The caller
 * compares; nothing here decides freshness.
 *
 * Reading the generations *before* the entry would be wrong: a store that raced a purge can land after the purge's
 * delete, and a generation read earlier than that would call its entry fresh. Hence "no earlier than the entry"
 * (the same instant, in one atomic script, is fine).
 *
 * The ticket has the window the lookup's own `current()` call had, which ran beside the entry read: no earlier than
 * the lookup's start (a request arriving after a purge never carries, nor joins an upstream call under, a ticket from
 * before it) and no later than the read's answer, so before the lookup replies and before any answer it misses for is
 * computed (a purge after that point is after the ticket and voids the store). Any instant inside is as safe as
 * another; one script reads it atomically with the entry, so it is also `>=` the read's `latest`.
 *
 * A read either answers all of it or fails as a whole (the lookup then takes its ticket with `current()`).
 * Default: `sequentialExactReads`.
 */
export interface ExactReads {
  /** The tenant's ticket, and its live entry with this id with the entry's `latest`. */
  getWithGenerations(tenant: string, id: string): Promise<TicketedExactRead>;
}

/**
 * The default composition: `PurgeGenerations.current` beside `ExactStore.get`, then `PurgeGenerations.latest` of the
 * entry's fields (the first two concurrently, the third after the get).
 */
export function sequentialExactReads(l2: ExactStore, generations: PurgeGenerations): ExactReads {
  return {
    async getWithGenerations(tenant, id) {
      const [ticket, entry] = await Promise.all([generations.current(tenant), l2.get(tenant, id)]);
      if (!entry) return { ticket, found: undefined };
      return { ticket, found: { entry, latest: await generations.latest(tenant, entryGenerationFields(entry)) } };
    },
  };
}
