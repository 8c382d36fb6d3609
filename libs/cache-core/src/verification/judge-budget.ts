/**
 * Judge calls per second per tenant: a token bucket each (burst = one second's worth). Tenants beyond
 * `maxTenants` share no state: the least recently used bucket is dropped.
 */
export class JudgeBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
    private readonly maxTenants = 10_000,
  ) {}

  /** Takes one call from the tenant's budget; false when it is spent. */
  take(tenant: string): boolean {
    if (this.perSecond <= 0) return false;
    const now = this.now();
    const bucket = this.buckets.get(tenant) ?? { tokens: this.perSecond, at: now };
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.delete(tenant);
    if (this.buckets.size >= this.maxTenants) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    this.buckets.set(tenant, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
