import { type CacheEntry } from '../domain/cache-entry';

export const EXACT_STORE = Symbol('ExactStore');

/** What to purge: always within one tenant; `tags` match any; `namespace` narrows (or, alone, selects). */
export interface PurgeSelector {
  readonly tenant: string;
  readonly tags?: readonly string[];
  readonly namespace?: string;
}

/**
 * L2: exact-match entries by id. Adapters: in-memory (embedded default), Redis (redis-om).
 * Every adapter passes `exact-store.contract.ts`.
 */
export interface ExactStore {
  /** The tenant's live entry with this id, or undefined (missing, expired, or another tenant's). */
  get(tenant: string, id: string): Promise<CacheEntry | undefined>;
  /** Insert or replace; the entry expires at `entry.expiresAt`. Tag memberships are written atomically with it. */
  put(entry: CacheEntry): Promise<void>;
  /** Entries of `selector.tenant` matching the selector are removed; returns how many. */
  purge(selector: PurgeSelector): Promise<number>;
  /** Live entries (approximate where the backend only knows it approximately). */
  count(): Promise<number>;
  /** Throws when the backend is unreachable (readiness). */
  ping(): Promise<void>;
  /**
   * Entries the backend evicted for space by its own policy, as it counts them (Redis: the server-wide `evicted_keys`);
   * absent where Strata counts them itself (the in-memory store reports each eviction as it happens).
   */
  evictedKeys?(): Promise<number>;
}
