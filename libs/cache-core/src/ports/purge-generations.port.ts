export const PURGE_GENERATIONS = Symbol('PurgeGenerations');

/**
 * Per-tenant purge generations: the defence against the race where an answer computed before an
 * invalidation is stored after it (see `generation-fields.ts` for what the fields are).
 *
 * Each tenant has a sequence that every purge advances, stamping the new value on the fields the purge
 * selects. A lookup that misses hands out the current sequence as a *ticket*; the answer computed
 * meanwhile is stored with it as its `generation`. An entry whose generation is below `latest` of its
 * fields is stale: refused on store, a miss on read, never put in L1.
 *
 * **Epochs.** A tenant's state is created on first use with its sequence and its *floor* both set to the
 * epoch start: the creation time in microseconds, above any generation an earlier incarnation of the
 * state handed out. Whenever the state is lost (Redis restarted without persistence, the key evicted, a
 * failover to a replica that lacks it, the embedded process restarted) the next call creates a new epoch,
 * and every entry stamped before the loss is below the new floor — stale, never fresh. Generations are
 * plain integers ordered across epochs, so tickets, entries, L1 and the eviction broadcast compare them as
 * before.
 *
 * **Bounded state.** A field is forgotten once stamped longer ago than the retention, and the oldest
 * fields are forgotten when a tenant holds more than its cap; a forgotten field's generation is folded
 * into the floor, so what it made stale stays stale (at the price of also making older entries of the
 * tenant stale: the safe direction).
 */
export interface PurgeGenerations {
  /** The tenant's current sequence (a lookup's ticket); starts a new epoch when the state is missing. */
  current(tenant: string): Promise<number>;
  /** Atomically advances the tenant's sequence and stamps the new value on every field; returns it. */
  advance(tenant: string, fields: readonly string[]): Promise<number>;
  /**
   * The lowest generation an entry with these fields must carry to be fresh: the highest generation
   * stamped on any of them, and at least the tenant's floor. Starts a new epoch when the state is missing.
   */
  latest(tenant: string, fields: readonly string[]): Promise<number>;
}
