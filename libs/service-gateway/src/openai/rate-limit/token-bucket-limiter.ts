import { LRUCache } from 'lru-cache';

interface RateLimit {
  /** Sustained rate. */
  readonly requestsPerSecond: number;
  /** Requests allowed at once (the bucket size). */
  readonly burst: number;
}

type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const ALLOWED: RateDecision = { allowed: true };

/**
 * A token bucket per tenant: each request takes a token, tokens come back at the tenant's rate up to its
 * burst. A refused request learns how long until a token is back (`Retry-After`, whole seconds, ≥ 1).
 */
export class TokenBucketLimiter {
  /** Bounded: the least recently used buckets are forgotten first (a forgotten bucket starts full again). */
  private readonly buckets: LRUCache<string, Bucket>;

  /** `key`: the tenant, or any other key (`limitOf` receives it); `maxKeys` bounds the buckets kept. */
  constructor(
    private readonly limitOf: (key: string) => RateLimit | undefined,
    private readonly now: () => number = () => performance.now(),
    maxKeys = 100_000,
  ) {
    this.buckets = new LRUCache<string, Bucket>({ max: maxKeys });
  }

  /** Takes a token from the key's bucket if there is one. */
  take(key: string): RateDecision {
    return this.decide(key, true);
  }

  /** What `take` would answer, without taking anything. */
  peek(key: string): RateDecision {
    return this.decide(key, false);
  }

  private decide(key: string, consume: boolean): RateDecision {
    const limit = this.limitOf(key);
    if (!limit) return ALLOWED;
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (!consume) return ALLOWED;
      bucket = { tokens: limit.burst, updatedAt: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(
        limit.burst,
        bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.requestsPerSecond,
      );
      bucket.updatedAt = now;
    }
    if (bucket.tokens >= 1) {
      if (consume) bucket.tokens -= 1;
      return ALLOWED;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond)) };
  }
}

/** The limits configured under `rateLimit`: per-tenant overrides, else the default, else none. */
export function configuredLimits(config: {
  readonly requestsPerSecond?: number | undefined;
  readonly burst?: number | undefined;
  readonly tenants: Readonly<
    Record<string, { readonly requestsPerSecond: number; readonly burst?: number | undefined }>
  >;
}): (tenant: string) => RateLimit | undefined {
  const limit = (requestsPerSecond: number, burst: number | undefined): RateLimit => ({
    requestsPerSecond,
    burst: burst ?? Math.max(1, Math.ceil(requestsPerSecond)),
  });
  const fallback = config.requestsPerSecond === undefined ? undefined : limit(config.requestsPerSecond, config.burst);
  const perTenant = new Map(
    Object.entries(config.tenants).map(([tenant, t]) => [tenant, limit(t.requestsPerSecond, t.burst)]),
  );
  return (tenant) => perTenant.get(tenant) ?? fallback;
}
