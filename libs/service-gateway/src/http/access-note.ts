import { identityOf } from '../auth/request-identity';

/** What a request's access-log line says beyond method, path, status and time. */
export interface AccessNote {
  /** The cache's answer: `HIT`, `STALE`, `MISS`, `BYPASS` (as in `X-Strata-Cache`). */
  readonly cache?: string | undefined;
  /** The tier that answered a hit: `l1`, `l2`, `l3`. */
  readonly tier?: string | undefined;
  /** The calling tenant, once the access guard decided it. */
  readonly tenant?: string | undefined;
}

/** Cache outcomes by request object (the Fastify request the handler saw). */
const outcomes = new WeakMap<object, { readonly cache: string; readonly tier: string | undefined }>();

/** Records the cache outcome of a request for its access-log line. */
export function noteCacheOutcome(request: object, cache: string | undefined, tier: string | undefined): void {
  if (cache !== undefined) outcomes.set(request, { cache, tier });
}

/** The cache outcome and caller of a request, for its access-log line (never a key, never prompt text). */
export function accessNoteOf(request: object): AccessNote {
  const outcome = outcomes.get(request);
  const identity = identityOf(request);
  return {
    cache: outcome?.cache,
    tier: outcome?.tier,
    tenant: identity?.kind === 'tenant' ? identity.tenant : undefined,
  };
}
