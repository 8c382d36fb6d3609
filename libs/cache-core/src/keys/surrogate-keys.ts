import { type CacheEntry, RESERVED_TAG_PREFIX } from '../domain/cache-entry';
import { type PurgeSelector } from '../ports/exact-store.port';

const ENTRY_TAG = `${RESERVED_TAG_PREFIX}entry:`;

function part(text: string): string {
  // Surrogate keys are space-separated tokens: every part is percent-encoded (no spaces, no commas).
  return encodeURIComponent(text);
}

function namespaceKey(tenant: string, namespace: string): string {
  return `strata:${part(tenant)}:ns:${part(namespace)}`;
}

function entryKey(tenant: string, id: string): string {
  return `strata:${part(tenant)}:entry:${part(id)}`;
}

/** A tag's key; Strata's own tags other than `$entry` (e.g. `$user`) never name a public answer: none. */
function tagKey(tenant: string, tag: string): string | undefined {
  if (tag.startsWith(ENTRY_TAG)) return entryKey(tenant, tag.slice(ENTRY_TAG.length));
  if (tag.startsWith(RESERVED_TAG_PREFIX)) return undefined;
  return `strata:${part(tenant)}:tag:${part(tag)}`;
}

/**
 * The surrogate keys (Fastly `Surrogate-Key`, Cloudflare `Cache-Tag`) of a public answer: its namespace, its entry and
 * the entry it was copied from (their `$entry` tags), and its tags — everything a purge can select it by, so the CDN
 * purge of `surrogateKeysOfPurge` reaches every copy a shared cache holds.
 */
export function surrogateKeysOfEntry(entry: Pick<CacheEntry, 'tenant' | 'namespace' | 'id' | 'tags'>): string[] {
  const keys = new Set([namespaceKey(entry.tenant, entry.namespace), entryKey(entry.tenant, entry.id)]);
  for (const tag of entry.tags) {
    const key = tagKey(entry.tenant, tag);
    if (key !== undefined) keys.add(key);
  }
  return [...keys];
}

/**
 * The surrogate keys a purge selects: its tags' (entries' ids included), else its namespace's; plus the entries a
 * semantic purge selected. A tag purge narrowed to a namespace purges the tag everywhere at the CDN (more than needed,
 * never less).
 */
export function surrogateKeysOfPurge(selector: PurgeSelector, entryIds: readonly string[] = []): string[] {
  const keys = new Set<string>();
  for (const tag of selector.tags ?? []) {
    const key = tagKey(selector.tenant, tag);
    if (key !== undefined) keys.add(key);
  }
  if ((selector.tags ?? []).length === 0 && entryIds.length === 0 && selector.namespace !== undefined)
    keys.add(namespaceKey(selector.tenant, selector.namespace));
  for (const id of entryIds) keys.add(entryKey(selector.tenant, id));
  return [...keys];
}
