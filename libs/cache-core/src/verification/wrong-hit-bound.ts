/** z for a one-sided 95% bound. */
const Z95 = 1.6449;

/**
 * The Wilson score upper bound of a proportion (`failures` of `trials`): with 95% confidence the true
 * rate is at most this. 1 before the first trial (nothing is known yet).
 */
export function wilsonUpperBound(failures: number, trials: number, z = Z95): number {
  if (trials <= 0) return 1;
  const p = failures / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.min(1, (centre + spread) / (1 + z2 / trials));
}

export interface WrongHitEstimate {
  readonly audited: number;
  readonly failed: number;
  readonly rate: number;
  readonly upperBound: number;
  readonly target?: number;
}

interface ScopeCounts {
  readonly tenant: string;
  readonly namespace: string;
  audited: number;
  failed: number;
  target?: number;
}

/**
 * Audit results per tenant's namespace (recorded here, or taken from the shared verdict store), and whether each
 * one's bound is under its target. Tenants never share counts: another tenant's audits do not move a bound.
 */
export class WrongHitBound {
  private readonly byScope = new Map<string, ScopeCounts>();

  constructor(private readonly maxScopes = 10_000) {}

  record(tenant: string, namespace: string, passed: boolean, target: number | undefined): void {
    const key = scopeKey(tenant, namespace);
    let counts = this.byScope.get(key);
    if (!counts) {
      if (this.byScope.size >= this.maxScopes) return;
      counts = { tenant, namespace, audited: 0, failed: 0 };
      this.byScope.set(key, counts);
    }
    counts.audited += 1;
    if (!passed) counts.failed += 1;
    if (target !== undefined) counts.target = target;
  }

  /** Takes the counts as the shared verdict store has them (`target`: when known; else the last one seen). */
  set(
    tenant: string,
    namespace: string,
    counts: { audited: number; failed: number },
    target: number | undefined,
  ): void {
    const key = scopeKey(tenant, namespace);
    const known = this.byScope.get(key);
    if (!known && this.byScope.size >= this.maxScopes) return;
    const next: ScopeCounts = { tenant, namespace, audited: counts.audited, failed: counts.failed };
    const kept = target ?? known?.target;
    if (kept !== undefined) next.target = kept;
    this.byScope.set(key, next);
  }

  estimate(tenant: string, namespace: string): WrongHitEstimate {
    return estimateOf(this.byScope.get(scopeKey(tenant, namespace)) ?? { audited: 0, failed: 0 });
  }

  /** True once the audits show, with 95% confidence, a wrong-hit rate under `target`. */
  holds(tenant: string, namespace: string, target: number): boolean {
    return this.estimate(tenant, namespace).upperBound <= target;
  }

  /** Every tenant's namespace, keyed `tenant/namespace` (for reading; the counts themselves are kept apart). */
  snapshot(): Record<string, WrongHitEstimate> {
    return Object.fromEntries(
      [...this.byScope.values()].map((counts) => [`${counts.tenant}/${counts.namespace}`, estimateOf(counts)]),
    );
  }
}

function scopeKey(tenant: string, namespace: string): string {
  return JSON.stringify([tenant, namespace]);
}

function estimateOf(counts: { audited: number; failed: number; target?: number }): WrongHitEstimate {
  return {
    audited: counts.audited,
    failed: counts.failed,
    rate: counts.audited === 0 ? 0 : counts.failed / counts.audited,
    upperBound: wilsonUpperBound(counts.failed, counts.audited),
    ...(counts.target === undefined ? {} : { target: counts.target }),
  };
}
