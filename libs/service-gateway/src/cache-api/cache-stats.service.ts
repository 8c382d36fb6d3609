import { Injectable } from '@nestjs/common';
import { StrataMetrics } from '@strata/observability';
import { GatewayCache } from './gateway-cache';

/** `GET /v1/cache/stats`: this gateway's results since start, and entry counts per tier. */
@Injectable()
export class CacheStatsService {
  private readonly metrics = StrataMetrics.shared();
  private readonly startedAt = Date.now();

  constructor(private readonly cache: GatewayCache) {}

  async snapshot(): Promise<object> {
    const count = (result: string) => this.metrics.counterValue(this.metrics.results, { result });
    const [l1, l2, l3, miss, bypass, { entries }] = await Promise.all([
      count('l1'),
      count('l2'),
      count('l3'),
      count('miss'),
      this.metrics.counterValue(this.metrics.lookups, { tier: 'total', outcome: 'bypass' }),
      this.cache.stats(),
    ]);
    const saved = await this.savings();
    const lookups = l1 + l2 + l3 + miss;
    return {
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      lookups,
      hits: { l1, l2, l3, total: l1 + l2 + l3 },
      misses: miss,
      bypassed: bypass,
      hitRatio: lookups === 0 ? 0 : Math.round(((l1 + l2 + l3) / lookups) * 10_000) / 10_000,
      entries,
      saved,
    };
  }

  /** What hits saved at the upstream (OpenAI-compatible proxy): tokens from the stored usage, USD at the configured prices. */
  private async savings(): Promise<{ tokens: number; usd: number; byModel: Record<string, { tokens: number; usd: number }> }> {
    const [tokens, usd] = await Promise.all([this.metrics.tokensSaved.get(), this.metrics.costSaved.get()]);
    const byModel: Record<string, { tokens: number; usd: number }> = {};
    const slot = (model: string | number | undefined) => (byModel[String(model)] ??= { tokens: 0, usd: 0 });
    for (const v of tokens.values) slot(v.labels.model).tokens += v.value;
    for (const v of usd.values) slot(v.labels.model).usd += v.value;
    const total = Object.values(byModel).reduce((sum, m) => ({ tokens: sum.tokens + m.tokens, usd: sum.usd + m.usd }), { tokens: 0, usd: 0 });
    for (const m of Object.values(byModel)) m.usd = Math.round(m.usd * 1e6) / 1e6;
    return { tokens: total.tokens, usd: Math.round(total.usd * 1e6) / 1e6, byModel };
  }
}
