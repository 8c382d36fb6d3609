/**
 * Escapes a value used as one `:`-separated part of a Redis key (`%`→`%25`, `:`→`%3A`), so that no two
 * (tenant, name) pairs can build the same key. The exact store's Lua scripts apply the same rule.
 */
export function keyPart(value: string): string {
  return value.replace(/%/g, '%25').replace(/:/g, '%3A');
}
