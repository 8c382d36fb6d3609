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

/** Audit results per namespace (recorded here, or taken from the shared verdict store), and whether each namespace's bound is under its target. */
export class WrongHitBound {
  private readonly byNamespace = new Map<string, { audited: number; failed: number; target?: number }>();

  constructor(private readonly maxNamespaces = 10_000) {}

  record(namespace: string, passed: boolean, target: number | undefined): void {
    let counts = this.byNamespace.get(namespace);
    if (!counts) {
      if (this.byNamespace.size >= this.maxNamespaces) return;
      counts = { audited: 0, failed: 0 };
      this.byNamespace.set(namespace, counts);
    }
    counts.audited += 1;
    if (!passed) counts.failed += 1;
    if (target !== undefined) counts.target = target;
  }

  /** Takes the namespace's counts as the shared verdict store has them (`target`: when known; else the last one seen). */
  set(namespace: string, counts: { audited: number; failed: number }, target: number | undefined): void {
    const known = this.byNamespace.get(namespace);
    if (!known && this.byNamespace.size >= this.maxNamespaces) return;
    const next: { audited: number; failed: number; target?: number } = {
      audited: counts.audited,
      failed: counts.failed,
    };
    const kept = target ?? known?.target;
    if (kept !== undefined) next.target = kept;
    this.byNamespace.set(namespace, next);
  }

  estimate(namespace: string): WrongHitEstimate {
    const counts = this.byNamespace.get(namespace) ?? { audited: 0, failed: 0 };
    return {
      audited: counts.audited,
      failed: counts.failed,
      rate: counts.audited === 0 ? 0 : counts.failed / counts.audited,
      upperBound: wilsonUpperBound(counts.failed, counts.audited),
      ...(counts.target === undefined ? {} : { target: counts.target }),
    };
  }

  /** True once the audits show, with 95% confidence, a wrong-hit rate under `target`. */
  holds(namespace: string, target: number): boolean {
    return this.estimate(namespace).upperBound <= target;
  }

  snapshot(): Record<string, WrongHitEstimate> {
    return Object.fromEntries([...this.byNamespace.keys()].map((name) => [name, this.estimate(name)]));
  }
}
