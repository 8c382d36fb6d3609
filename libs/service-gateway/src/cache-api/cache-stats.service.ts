import { Inject, Injectable, Optional } from '@nestjs/common';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { StrataMetrics } from '@strata/observability';
import { GatewayCache } from './gateway-cache';
import { JudgeCost, type JudgeSpendRows } from './judge-cost';
import { TenantStats } from './tenant-stats';
import { ShadowAudits } from '../proxy/shadow/shadow-audits';
import { VersionBumpWarming } from '../warm/version-bump-warming';

/** A tier's evictions for space: counted by Strata since start (with a rate), or a Redis server's own count. */
type TierEvictions = { total: number; perMinute: number } | { total: number; scope: 'redis-server' };

/**
 * `GET /v1/cache/stats`: for a tenant, its own lookup results and savings on this gateway since start;
 * for an admin key, the whole gateway's, with entry counts per tier.
 */
@Injectable()
export class CacheStatsService {
  private readonly metrics = StrataMetrics.shared();
  private readonly startedAt = Date.now();
  private readonly judgeCost: JudgeCost;

  constructor(
    private readonly cache: GatewayCache,
    private readonly tenants: TenantStats,
    @Inject(STRATA_CONFIG) config: StrataConfig,
    /** Warm-on-version-bump's progress on this gateway (absent: not shown). */
    @Optional() private readonly warming?: VersionBumpWarming,
    /** Shadow audits: the judge calls they make to compare answers are judge spend too. */
    @Optional() private readonly shadow?: ShadowAudits,
  ) {
    this.judgeCost = new JudgeCost(config);
  }

  /** One tenant's numbers. Entry counts are left out: per tier they are process-wide and would tell of other tenants. */
  async tenantSnapshot(tenant: string): Promise<object> {
    const { l1, l2, l3, miss, bypass } = this.tenants.of(tenant);
    const hits = l1 + l2 + l3;
    const lookups = hits + miss;
    // The model judge's calls for this tenant and their cost, beside the money its hits saved (when hits are verified).
    const judgeSpend = this.judgeCost.enabled
      ? this.judgeRows((await this.cache.stats()).verification?.judgeSpend)
      : undefined;
    return {
      tenant,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      lookups,
      hits: { l1, l2, l3, total: hits },
      misses: miss,
      bypassed: bypass,
      hitRatio: lookups === 0 ? 0 : Math.round((hits / lookups) * 10_000) / 10_000,
      saved: { ...(await this.savings(tenant)), latencySeconds: this.cache.latency.saved(tenant) },
      ...(judgeSpend === undefined ? {} : { judge: this.judgeCost.report(judgeSpend, tenant) }),
      ...this.warmed(tenant),
    };
  }

  /** The judge's calls per tenant and namespace: the cache service's (candidates, audits) and this gateway's shadow audits'. */
  private judgeRows(cacheRows: JudgeSpendRows | undefined): JudgeSpendRows | undefined {
    const own = this.shadow?.spend() ?? [];
    return cacheRows === undefined && own.length === 0 ? undefined : [...(cacheRows ?? []), ...own];
  }

  async snapshot(): Promise<object> {
    const count = (result: string) => this.metrics.counterValue(this.metrics.results, { result });
    const [l1, l2, l3, miss, bypass, { entries, verification, backendEvictions }] = await Promise.all([
      count('l1'),
      count('l2'),
      count('l3'),
      count('miss'),
      this.metrics.counterValue(this.metrics.lookups, { tier: 'total', outcome: 'bypass' }),
      this.cache.stats(),
    ]);
    const saved = { ...(await this.savings()), latencySeconds: this.cache.latency.saved() };
    const evictions = await this.evictions(backendEvictions?.l2);
    const judgeSpend = this.judgeRows(verification?.judgeSpend);
    const lookups = l1 + l2 + l3 + miss;
    return {
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      lookups,
      hits: { l1, l2, l3, total: l1 + l2 + l3 },
      misses: miss,
      bypassed: bypass,
      hitRatio: lookups === 0 ? 0 : Math.round(((l1 + l2 + l3) / lookups) * 10_000) / 10_000,
      entries,
      evictions,
      saved,
      ...(judgeSpend === undefined ? {} : { judge: this.judgeCost.report(judgeSpend) }),
      // Hit verification of the answering cache service replica: judge calls, audited hits and the wrong-hit bound per namespace.
      ...(verification === undefined ? {} : { verification }),
      ...this.warmed(),
    };
  }

  /** `warming`: the namespace version bumps this gateway warmed since it started (of `tenant` only, when given); none: left out. */
  private warmed(tenant?: string): { warming?: object[] } {
    const bumps = (this.warming?.status() ?? []).filter((p) => tenant === undefined || p.tenant === tenant);
    return bumps.length === 0 ? {} : { warming: bumps.map((p) => ({ ...p })) };
  }

  /**
   * Entries evicted for space per tier, counted by this process (`strata_cache_evictions_total`), and the rate since
   * start. The in-memory L2 and L3 count theirs (embedded mode: this process). A Redis L2 is shown by its own count
   * (`redisL2`: `evicted_keys`, server-wide, since Redis started: no rate), as the cache service read it for this page.
   * Null for a tier nobody here counts: a cache service in another process (counted where it runs), a Redis that did
   * not answer, and Qdrant (which never evicts).
   */
  private async evictions(
    redisL2: number | null | undefined,
  ): Promise<Record<'l1' | 'l2' | 'l3', TierEvictions | null>> {
    const { values } = await this.metrics.evictions.get();
    const minutes = Math.max(1 / 60, (Date.now() - this.startedAt) / 60_000);
    const of = (tier: string): TierEvictions | null => {
      // An L2 whose backend counts its own evictions is that backend (no in-memory L2 counts beside it).
      if (tier === 'l2' && typeof redisL2 === 'number') return { total: redisL2, scope: 'redis-server' };
      const counted = values.filter((v) => v.labels['tier'] === tier);
      if (counted.length === 0) return tier === 'l1' ? { total: 0, perMinute: 0 } : null;
      const total = counted.reduce((sum, v) => sum + v.value, 0);
      return { total, perMinute: Math.round((total / minutes) * 100) / 100 };
    };
    return { l1: of('l1'), l2: of('l2'), l3: of('l3') };
  }

  /** What hits saved at the upstream (OpenAI-compatible proxy): tokens from the stored usage, USD at the configured prices. */
  /** `tenant`: only that tenant's savings (by the metrics' tenant label); else everyone's. */
  private async savings(
    tenant?: string,
  ): Promise<{ tokens: number; usd: number; byModel: Record<string, { tokens: number; usd: number }> }> {
    const [tokens, usd] = await Promise.all([this.metrics.tokensSaved.get(), this.metrics.costSaved.get()]);
    const byModel: Record<string, { tokens: number; usd: number }> = {};
    const slot = (model: string | number | undefined) => (byModel[String(model)] ??= { tokens: 0, usd: 0 });
    const mine = (labels: Partial<Record<string, string | number>>) =>
      tenant === undefined || labels['tenant'] === tenant;
    for (const v of tokens.values) if (mine(v.labels)) slot(v.labels.model).tokens += v.value;
    for (const v of usd.values) if (mine(v.labels)) slot(v.labels.model).usd += v.value;
    const total = Object.values(byModel).reduce((sum, m) => ({ tokens: sum.tokens + m.tokens, usd: sum.usd + m.usd }), {
      tokens: 0,
      usd: 0,
    });
    for (const m of Object.values(byModel)) m.usd = Math.round(m.usd * 1e6) / 1e6;
    return { tokens: total.tokens, usd: Math.round(total.usd * 1e6) / 1e6, byModel };
  }
}
