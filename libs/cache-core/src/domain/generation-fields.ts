import { type PurgeSelector } from '../ports/exact-store.port';

/**
 * Which generation fields a purge stamps and an entry is checked against. A purge by tags within a
 * namespace stamps `tag@namespace` so it makes only that namespace's tagged entries stale; a purge by
 * tags alone stamps the tags; a namespace purge (or version bump) stamps the namespace.
 */
export function purgeGenerationFields(selector: Pick<PurgeSelector, 'tags' | 'namespace'>): string[] {
  const tags = selector.tags ?? [];
  if (tags.length > 0) {
    return selector.namespace === undefined
      ? tags.map((t) => `t:${t}`)
      : tags.map((t) => `t:${t}@${selector.namespace}`);
  }
  return selector.namespace === undefined ? [] : [`n:${selector.namespace}`];
}

/**
 * Every field whose purge would make this entry stale. Redis's one-round-trip L2 read spells the same fields in Lua
 * (`store-redis`'s `readWithGenerationsScript`): a change here is a change there.
 */
export function entryGenerationFields(entry: {
  readonly tags: readonly string[];
  readonly namespace: string;
}): string[] {
  const fields = [`n:${entry.namespace}`];
  for (const tag of entry.tags) fields.push(`t:${tag}`, `t:${tag}@${entry.namespace}`);
  return fields;
}
