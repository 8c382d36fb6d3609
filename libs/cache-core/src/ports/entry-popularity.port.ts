export const ENTRY_POPULARITY = Symbol('EntryPopularity');

/** Hits on one entry since the last flush. */
export interface EntryHits {
  readonly tenant: string;
  readonly id: string;
  readonly count: number;
  /** Epoch milliseconds. */
  readonly lastHitAt: number;
}

export interface Popularity {
  readonly hits: number;
  /** Epoch milliseconds; null when never hit. */
  readonly lastHitAt: number | null;
}

export interface RankedEntry extends Popularity {
  readonly id: string;
}

/**
 * Hits and last hit per entry, per tenant. Written in batches (gateways aggregate hits in memory and flush
 * them periodically), read when listing entries and choosing what to pre-warm. Adapters: in memory
 * (embedded default), Redis (two sorted sets per tenant, in the tenant's hash tag).
 */
export interface EntryPopularity {
  record(hits: readonly EntryHits[]): Promise<void>;
  /** Popularity of these ids (ids never hit are absent from the map). */
  of(tenant: string, ids: readonly string[]): Promise<Map<string, Popularity>>;
  /** The tenant's hit entries, most hit (`hits`) or most recently hit (`recent`) first, from rank `offset`. */
  ranked(tenant: string, by: 'hits' | 'recent', offset: number, count: number): Promise<RankedEntry[]>;
  /** Drops the popularity of entries that are gone. */
  forget(tenant: string, ids: readonly string[]): Promise<void>;
}
