import { type JsonValue } from '@strata/contracts';

/**
 * One cached answer. The same shape lives in every tier (L1 in the gateway, L2 exact store, L3 vector
 * payload), so a hit in any tier can backfill the tiers above it without another read.
 */
export interface CacheEntry {
  /** Entry id: a UUID derived from the exact key of the request that stored it (see `entryIdFromKey`). */
  readonly id: string;
  readonly tenant: string;
  readonly namespace: string;
  /** Namespace version the entry was stored under; bumping the version makes older entries unreachable. */
  readonly namespaceVersion: number;
  readonly model: string;
  /** SHA-256 (hex) of the canonical request: the L1/L2 key. */
  readonly exactKey: string;
  /** SHA-256 (hex) of everything but the last user message: semantic hits never cross contexts. */
  readonly contextHash: string;
  /** The last user message (normalised); what semantic lookups compare against. Empty when not applicable. */
  readonly query: string;
  /** The stored response, as given (OpenAI completion, stream record, or any JSON). */
  readonly response: JsonValue;
  /** User tags plus the entry's own `$entry:<id>` tag (see `entryTag`). */
  readonly tags: readonly string[];
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /**
   * The purge generation of the tenant when the answer was looked up (its store ticket): the entry is
   * stale once a purge of any of its tags or its namespace has a higher generation. 0 when unknown.
   */
  readonly generation?: number;
  /** For L3-backfilled copies: the id of the entry that answered. Purging that id purges the copies too. */
  readonly aliasOf?: string;
}

/** Tags starting with `$` are reserved for Strata; user tags are validated not to use the prefix. */
export const RESERVED_TAG_PREFIX = '$';

/** Every entry (and every backfilled copy of it) carries this tag, so "delete entry X" is a tag purge. */
export function entryTag(rootEntryId: string): string {
  return `$entry:${rootEntryId}`;
}

export function generationOf(entry: Pick<CacheEntry, 'generation'>): number {
  return entry.generation ?? 0;
}

export function isExpired(entry: Pick<CacheEntry, 'expiresAt'>, now: number): boolean {
  return entry.expiresAt <= now;
}

/** Seconds since the entry was stored, rounded down (the HTTP `Age` semantics). */
export function ageSeconds(entry: Pick<CacheEntry, 'createdAt'>, now: number): number {
  return Math.max(0, Math.floor((now - entry.createdAt) / 1000));
}

/** Seconds of life left, rounded up so that a live entry never reports 0. */
export function ttlRemainingSeconds(entry: Pick<CacheEntry, 'expiresAt'>, now: number): number {
  return Math.max(0, Math.ceil((entry.expiresAt - now) / 1000));
}
