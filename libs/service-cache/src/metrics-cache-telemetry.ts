import { Injectable, Logger } from '@nestjs/common';
import { type CacheTelemetry, type Tier, type TierOutcome } from '@strata/cache-core';
import { StrataMetrics, boundCounter, boundHistogram } from '@strata/observability';

const LOG_EVERY_MS = 10_000;

/** Binds the use cases' reports to Prometheus metrics and (rate-limited) warnings. */
@Injectable()
export class MetricsCacheTelemetry implements CacheTelemetry {
  private readonly logger = new Logger('CacheTiers');
  private readonly metrics = StrataMetrics.shared();
  private readonly lastLogged = new Map<string, number>();
  /** Metric children by tier and outcome, bound on first use (`boundCounter`, `boundHistogram`: plain additions until read). */
  private readonly bound = new Map<string, { inc(): void; observe(seconds: number): void }>();

  lookup(tier: Tier, outcome: TierOutcome, seconds: number): void {
    const key = `${tier}:${outcome}`;
    let child = this.bound.get(key);
    if (child === undefined) {
      const count = boundCounter(this.metrics.lookups, { tier, outcome });
      const timed =
        outcome === 'hit' || outcome === 'miss' ? boundHistogram(this.metrics.lookupDuration, { tier }) : undefined;
      child = { inc: () => count.inc(), observe: (value) => timed?.observe(value) };
      this.bound.set(key, child);
    }
    child.inc();
    child.observe(seconds);
  }

  tierError(tier: Tier | 'embedding', operation: string, error: unknown): void {
    this.metrics.tierErrors.inc({ tier, operation });
    const key = `${tier}:${operation}`;
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? 0) < LOG_EVERY_MS) return;
    this.lastLogged.set(key, now);
    this.logger.warn(
      `${tier} ${operation} failed, continuing without it: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  semanticRejected(reason: string): void {
    this.metrics.semanticRejections.inc({ reason });
  }
}
