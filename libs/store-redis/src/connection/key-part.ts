/**
 * Escapes a value used as one `:`-separated part of a Redis key (`%`→`%25`, `:`→`%3A`, `{`→`%7B`,
 * `}`→`%7D`), so that no two (tenant, name) pairs can build the same key and no value can open or close
 * a Redis Cluster hash tag. The exact store's Lua scripts apply the same rule.
 */
export function keyPart(value: string): string {
  return value.replace(/%/g, '%25').replace(/:/g, '%3A').replace(/\{/g, '%7B').replace(/\}/g, '%7D');
}

/**
 * The hash tag of everything a tenant owns (`{escaped tenant}`): every key of one tenant's entries,
 * indexes and generations hashes to the same Redis Cluster slot, so each multi-key script runs on one node.
 */
export function tenantSlot(tenant: string): string {
  return `{${keyPart(tenant)}}`;
}

/** Refuses a key prefix that would carry its own hash tag (every key of every tenant in one slot). */
export function checkKeyPrefix(prefix: string): string {
  if (/[{}]/.test(prefix))
    throw new Error(`Redis key prefix ${JSON.stringify(prefix)} must not contain '{' or '}' (Redis Cluster hash tags)`);
  return prefix;
}
