import { canonicalJson, sha256Hex } from '@strata/cache-core';

/** Roles whose leading messages make up a conversation's stable prefix. */
const PREFIX_ROLES = new Set(['system', 'developer']);

/**
 * OpenAI's `prompt_cache_key` for a request: the tenant and a hash of its stable prefix (model, tools,
 * the leading system/developer messages), so that requests sharing that prefix are routed to the same
 * prompt-cache shard while tenants never share one. The tenant is hashed in, never sent as such.
 * Undefined when the request has no stable prefix to share.
 */
export function promptCacheKey(tenant: string, body: Readonly<Record<string, unknown>>): string | undefined {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const leading: unknown[] = [];
  for (const message of messages) {
    const role = message && typeof message === 'object' ? (message as { role?: unknown }).role : undefined;
    if (typeof role !== 'string' || !PREFIX_ROLES.has(role)) break;
    leading.push(message);
  }
  const tools = body['tools'];
  if (leading.length === 0 && tools === undefined) return undefined;
  const prefix = canonicalJson({ model: body['model'] ?? null, tools: tools ?? null, messages: leading });
  return `strata-${sha256Hex(`${tenant}\u0000${prefix}`).slice(0, 40)}`;
}
