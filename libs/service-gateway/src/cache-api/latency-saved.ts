import { type BoundCounter, StrataMetrics, boundCounter } from '@strata/observability';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';

export type HitTier = 'l1' | 'l2' | 'l3';

/** Weight of the newest upstream call in the moving average (≈ the last ten calls count). */
const EWMA_ALPHA = 0.2;
/** (tenant, namespace, model) triples whose upstream latency is remembered; least recently used forgotten first. */
const MAX_KEYS = 10_000;
const MAX_TENANTS = 10_000;
const METRIC = 'strata_latency_saved_seconds_total';

type TierSeconds = Record<HitTier, number>;

/**
 * What each hit saved in time: the upstream latency it avoided, estimated as the exponentially weighted moving
 * average of recent upstream calls for the same tenant, namespace and model (proxied misses, and stores that say how
 * long the upstream took). A hit for which no upstream call has been seen yet credits nothing: no guess is made.
 * Exported per tier as `strata_latency_saved_seconds_total{tier}`, and per tenant for `/v1/cache/stats`.
 */
export class LatencySaved {
  private readonly upstream = new LRUCache<string, { seconds: number }>({ max: MAX_KEYS });
  private readonly byTenant = new LRUCache<string, TierSeconds>({ max: MAX_TENANTS });
  private readonly total: TierSeconds = { l1: 0, l2: 0, l3: 0 };
  private readonly counter: Counter<'tier'>;
  /** The counter's children per tier, bound once (`boundCounter`). */
  private readonly counted: Readonly<Record<HitTier, BoundCounter>>;

  constructor(metrics: StrataMetrics = StrataMetrics.shared()) {
    // One registry per process, possibly several gateways (tests): the counter is registered once.
    this.counter =
      (metrics.registry.getSingleMetric(METRIC) as Counter<'tier'> | undefined) ??
      new Counter({
        name: METRIC,
        help: 'Upstream latency hits avoided, per tier: each hit credits the moving average of recent upstream calls for its tenant, namespace and model.',
        labelNames: ['tier'],
        registers: [metrics.registry],
      });
    this.counted = {
      l1: boundCounter(this.counter, { tier: 'l1' }),
      l2: boundCounter(this.counter, { tier: 'l2' }),
      l3: boundCounter(this.counter, { tier: 'l3' }),
    };
  }

  /** An upstream call for this (tenant, namespace, model) took `seconds` to answer in full. */
  recordUpstream(tenant: string, namespace: string, model: string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    const key = `${tenant}\u0000${namespace}\u0000${model}`;
    const known = this.upstream.get(key);
    if (known) known.seconds += EWMA_ALPHA * (seconds - known.seconds);
    else this.upstream.set(key, { seconds });
  }

  /** The recent upstream latency of this (tenant, namespace, model), in seconds; undefined when none was seen. */
  estimate(tenant: string, namespace: string, model: string): number | undefined {
    return this.upstream.get(`${tenant}\u0000${namespace}\u0000${model}`)?.seconds;
  }

  /** A hit answered instead of the upstream: credits the latency it avoided; returns it (0 when unknown). */
  creditHit(tenant: string, namespace: string, model: string, tier: HitTier): number {
    const seconds = this.estimate(tenant, namespace, model);
    if (seconds === undefined) return 0;
    this.counted[tier].inc(seconds);
    this.total[tier] += seconds;
    let mine = this.byTenant.get(tenant);
    if (!mine) this.byTenant.set(tenant, (mine = { l1: 0, l2: 0, l3: 0 }));
    mine[tier] += seconds;
    return seconds;
  }

  /** Seconds saved per tier and in total since start: one tenant's, or (no tenant) this gateway's. */
  saved(tenant?: string): TierSeconds & { total: number } {
    const seconds = tenant === undefined ? this.total : (this.byTenant.get(tenant) ?? { l1: 0, l2: 0, l3: 0 });
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      l1: round(seconds.l1),
      l2: round(seconds.l2),
      l3: round(seconds.l3),
      total: round(seconds.l1 + seconds.l2 + seconds.l3),
    };
  }
}
