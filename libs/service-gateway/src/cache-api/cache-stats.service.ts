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
    const lookups = l1 + l2 + l3 + miss;
    return {
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
      lookups,
      hits: { l1, l2, l3, total: l1 + l2 + l3 },
      misses: miss,
      bypassed: bypass,
      hitRatio: lookups === 0 ? 0 : Math.round(((l1 + l2 + l3) / lookups) * 10_000) / 10_000,
      entries,
    };
  }
}
