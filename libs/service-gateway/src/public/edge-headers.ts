import { createHash } from 'node:crypto';
import { type CacheEntry, surrogateKeysOfEntry } from '@strata/cache-core';

/** Every response of the gateway that a shared cache must not keep (all but public answers). */
export const PRIVATE_NO_STORE = 'private, no-store';

/** What every gateway response starts with (set by the HTTP app's first hook; public answers replace it). */
export const GATEWAY_RESPONSE_HEADERS: Readonly<Record<string, string>> = { 'cache-control': PRIVATE_NO_STORE };

/** The body of a public answer: the same bytes for as long as the entry lives (nothing in it ages). */
export function publicAnswerBody(entry: CacheEntry): string {
  return JSON.stringify({
    id: entry.id,
    namespace: entry.namespace,
    model: entry.model,
    query: entry.query,
    response: entry.response,
  });
}

/** A strong validator of exactly these bytes (RFC 9110 §8.8.3): a re-stored answer under the same id gets a new one. */
export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
}

/**
 * RFC 9110 §13.1.2: `If-None-Match` matches when it is `*` or lists the entity tag, compared weakly (a `W/` prefix on
 * either side is ignored).
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === want);
}

/** Whole seconds of life left, rounded down: a shared cache that keeps the answer this long never serves it expired. */
export function freshSeconds(entry: Pick<CacheEntry, 'expiresAt'>, now: number): number {
  return Math.max(0, Math.floor((entry.expiresAt - now) / 1000));
}

/**
 * Headers of a public answer, for a 200 and its 304 alike (RFC 9110 §15.4.5): shared caches may keep it for its
 * remaining TTL (`max-age`, no `Age`: the origin sends it fresh, so a cache's age starts now and it is never served
 * past the entry's expiry), revalidate it by ETag, and purge it by the surrogate keys its purges select. No `Vary`: the
 * URL alone selects the answer (tenant, namespace, entry id).
 */
export function publicAnswerHeaders(entry: CacheEntry, etag: string, now: number): Record<string, string> {
  const keys = surrogateKeysOfEntry(entry).join(' ');
  return {
    'cache-control': `public, max-age=${freshSeconds(entry, now)}`,
    etag,
    'last-modified': new Date(entry.createdAt).toUTCString(),
    'surrogate-key': keys,
    'cache-tag': keys.replaceAll(' ', ','),
  };
}

/** The GET form of a public answer, named on lookup hits of a public namespace (`Content-Location`). */
export function publicAnswerPath(entry: Pick<CacheEntry, 'tenant' | 'namespace' | 'id'>): string {
  return `/v1/cache/public/${encodeURIComponent(entry.tenant)}/${encodeURIComponent(entry.namespace)}/${entry.id}`;
}
