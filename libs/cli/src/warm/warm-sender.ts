import { type StrataClient, apiError } from '../http/strata-client';
import { type WarmQuery } from './warm-queries';

/** What replaying one query did. */
export type WarmOutcome =
  | { readonly kind: 'hit'; readonly tier: string; readonly tokens: number }
  | { readonly kind: 'miss'; readonly tokens: number }
  | { readonly kind: 'bypass' }
  | { readonly kind: 'error'; readonly message: string };

interface WarmSenderOptions {
  /** The LLM upstream key, sent as `Authorization: Bearer` (Strata passes it through when it has none of its own). */
  readonly upstreamKey?: string | undefined;
  /** How often a 429 is retried (after its `Retry-After`) before the query counts as an error. */
  readonly maxRateLimitRetries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

function totalTokens(body: unknown): number {
  const usage = (body as { usage?: { total_tokens?: unknown } } | null)?.usage;
  return typeof usage?.total_tokens === 'number' ? usage.total_tokens : 0;
}

/**
 * Replays one query through the gateway's `/v1/chat/completions`, its namespace, tags and TTL as the proxy's
 * `X-Strata-*` headers: a miss is answered by the upstream and stored (tagged) by the proxy, a hit was
 * already cached. Throws only `UnreachableError` (no answer at all); every HTTP answer is an outcome.
 */
export function warmSender(
  client: StrataClient,
  options: WarmSenderOptions = {},
): (query: WarmQuery, signal?: AbortSignal) => Promise<WarmOutcome> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const maxRetries = options.maxRateLimitRetries ?? 5;
  return async (query, signal) => {
    const headers: Record<string, string> = {};
    if (options.upstreamKey !== undefined) headers['authorization'] = `Bearer ${options.upstreamKey}`;
    if (query.namespace !== undefined) headers['x-strata-namespace'] = query.namespace;
    if (query.tags.length > 0) headers['x-strata-tags'] = query.tags.join(',');
    if (query.ttl !== undefined) headers['x-strata-ttl'] = String(query.ttl);
    for (let attempt = 0; ; attempt++) {
      const reply = await client.send('POST', '/v1/chat/completions', query.body, headers, signal);
      if (reply.status === 429 && attempt < maxRetries) {
        const retryAfter = Number(reply.headers.get('retry-after'));
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 60) * 1000 : 1000);
        continue;
      }
      if (reply.status >= 400) return { kind: 'error', message: apiError(reply).message };
      const cache = reply.headers.get('x-strata-cache')?.toUpperCase() ?? '';
      switch (cache) {
        case 'HIT':
        case 'STALE':
          return {
            kind: 'hit',
            tier: reply.headers.get('x-strata-tier') ?? 'unknown',
            tokens: totalTokens(reply.body),
          };
        case 'MISS':
          return { kind: 'miss', tokens: totalTokens(reply.body) };
        case 'BYPASS':
          return { kind: 'bypass' };
        default:
          return {
            kind: 'error',
            message: `${reply.status} without an X-Strata-Cache header: is ${client.baseUrl} a Strata gateway?`,
          };
      }
    }
  };
}
