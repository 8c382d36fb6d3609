export const PURGE_GENERATIONS = Symbol('PurgeGenerations');

/**
 * Per-tenant purge generations: the defence against the race where an answer computed before an
 * invalidation is stored after it (see `generation-fields.ts` for what the fields are).
 *
 * Each tenant has a sequence that every purge advances, stamping the new value on the fields the purge
 * selects. A lookup that misses hands out the current sequence as a *ticket*; the answer computed
 * meanwhile is stored with it as its `generation`. An entry whose generation is below the generation
 * of any of its fields is stale: refused on store, a miss on read, never put in L1.
 */
export interface PurgeGenerations {
  /** The tenant's current sequence (a lookup's ticket). */
  current(tenant: string): Promise<number>;
  /** Atomically advances the tenant's sequence and stamps the new value on every field; returns it. */
  advance(tenant: string, fields: readonly string[]): Promise<number>;
  /** The highest generation stamped on any of the fields (0 when none ever was). */
  latest(tenant: string, fields: readonly string[]): Promise<number>;
}
