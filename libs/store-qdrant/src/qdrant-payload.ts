import { type Schemas } from '@qdrant/js-client-rest';
import {
  type CacheEntry,
  type PurgeSelector,
  type SimilarSearch,
  type VectorSearch,
  entryTag,
} from '@strata/cache-core';

/** Payload fields of a point (snake_case, as Qdrant payloads conventionally are). */
export const PAYLOAD = {
  tenant: 'tenant',
  contextHash: 'context_hash',
  namespace: 'namespace',
  tags: 'tags',
  /** Epoch milliseconds (integer), like `CacheEntry.expiresAt`. */
  expiresAt: 'expires_at',
  /** The whole `CacheEntry` as a JSON string. */
  entry: 'entry',
} as const;

/**
 * The payload indexes of every collection: the tenant as Qdrant's tenant index (co-locates a tenant's points), the
 * keyword fields searches and purges filter on, and an integer range index on the expiry.
 */
export const PAYLOAD_INDEXES: readonly { readonly field: string; readonly schema: Schemas['PayloadFieldSchema'] }[] = [
  { field: PAYLOAD.tenant, schema: { type: 'keyword', is_tenant: true } },
  { field: PAYLOAD.contextHash, schema: 'keyword' },
  { field: PAYLOAD.namespace, schema: 'keyword' },
  { field: PAYLOAD.tags, schema: 'keyword' },
  { field: PAYLOAD.expiresAt, schema: { type: 'integer', lookup: false, range: true } },
];

/**
 * The point payload of an entry: the filterable fields, plus the full entry so that an L3 hit can backfill L2
 * without another read. The entry is stored as a JSON string rather than as nested payload: it round-trips
 * exactly (no float reformatting, and no large integers in a response turned into BigInt by the client's
 * reviver on Node 22+), and Qdrant never needs to look inside it.
 */
export function toPayload(entry: CacheEntry): Schemas['Payload'] {
  return {
    [PAYLOAD.tenant]: entry.tenant,
    [PAYLOAD.contextHash]: entry.contextHash,
    [PAYLOAD.namespace]: entry.namespace,
    [PAYLOAD.tags]: [...entry.tags],
    [PAYLOAD.expiresAt]: entry.expiresAt,
    [PAYLOAD.entry]: JSON.stringify(entry),
  };
}

/** The entry stored in a point's payload, or undefined when the payload is not one of ours. */
export function entryFromPayload(
  payload: Schemas['Payload'] | Record<string, unknown> | null | undefined,
): CacheEntry | undefined {
  const raw = payload?.[PAYLOAD.entry];
  if (typeof raw !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return isCacheEntry(value) ? value : undefined;
}

function isCacheEntry(value: unknown): value is CacheEntry {
  if (value === null || typeof value !== 'object') return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e['id'] === 'string' &&
    typeof e['tenant'] === 'string' &&
    typeof e['namespace'] === 'string' &&
    typeof e['namespaceVersion'] === 'number' &&
    typeof e['model'] === 'string' &&
    typeof e['exactKey'] === 'string' &&
    typeof e['contextHash'] === 'string' &&
    typeof e['query'] === 'string' &&
    'response' in e &&
    Array.isArray(e['tags']) &&
    (e['tags'] as unknown[]).every((tag) => typeof tag === 'string') &&
    typeof e['createdAt'] === 'number' &&
    typeof e['expiresAt'] === 'number' &&
    (e['aliasOf'] === undefined || typeof e['aliasOf'] === 'string')
  );
}

/** Live points only: `expires_at > now`. */
export function liveCondition(now: number): Schemas['FieldCondition'] {
  return { key: PAYLOAD.expiresAt, range: { gt: now } };
}

/** A search's filter: its tenant, its context, not expired. */
export function searchFilter(query: Pick<VectorSearch, 'tenant' | 'contextHash' | 'now'>): Schemas['Filter'] {
  return {
    must: [
      { key: PAYLOAD.tenant, match: { value: query.tenant } },
      { key: PAYLOAD.contextHash, match: { value: query.contextHash } },
      liveCondition(query.now),
    ],
  };
}

/** A tenant-wide similarity query's filter: its tenant, its namespace when given, not expired (any context). */
export function similarFilter(query: Pick<SimilarSearch, 'tenant' | 'namespace' | 'now'>): Schemas['Filter'] {
  const must: Schemas['Condition'][] = [{ key: PAYLOAD.tenant, match: { value: query.tenant } }];
  if (query.namespace !== undefined) must.push({ key: PAYLOAD.namespace, match: { value: query.namespace } });
  must.push(liveCondition(query.now));
  return { must };
}

const ENTRY_TAG_PREFIX = entryTag('');

/**
 * The root entry of point `id` from its tags, without reading the stored entry: a backfilled copy carries the
 * `$entry:<rootId>` tag of the entry it was copied from, a root its own. A point without one is its own root.
 */
export function rootIdFromTags(id: string, tags: unknown): string {
  if (!Array.isArray(tags)) return id;
  for (const tag of tags as unknown[]) {
    if (typeof tag !== 'string' || !tag.startsWith(ENTRY_TAG_PREFIX)) continue;
    const root = tag.slice(ENTRY_TAG_PREFIX.length);
    if (root !== id && root.length > 0) return root;
  }
  return id;
}

/**
 * A purge's filter, within the selector's tenant: any of the tags (narrowed to the namespace when one is given), or
 * the whole namespace. Undefined when the selector selects nothing (no tags and no namespace), as in every adapter.
 */
export function purgeFilter(selector: PurgeSelector): Schemas['Filter'] | undefined {
  const must: Schemas['Condition'][] = [{ key: PAYLOAD.tenant, match: { value: selector.tenant } }];
  const hasTags = selector.tags !== undefined && selector.tags.length > 0;
  if (hasTags) must.push({ key: PAYLOAD.tags, match: { any: [...(selector.tags ?? [])] } });
  if (selector.namespace !== undefined) must.push({ key: PAYLOAD.namespace, match: { value: selector.namespace } });
  return hasTags || selector.namespace !== undefined ? { must } : undefined;
}

/** `filter` restricted to live points. */
export function onlyLive(filter: Schemas['Filter'], now: number): Schemas['Filter'] {
  return { must: [filter, liveCondition(now)] };
}
