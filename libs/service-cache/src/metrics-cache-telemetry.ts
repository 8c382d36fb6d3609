import { Injectable, Logger } from '@nestjs/common';
import { type CacheTelemetry, type Tier, type TierOutcome } from '@strata/cache-core';
import { StrataMetrics } from '@strata/observability';

const LOG_EVERY_MS = 10_000;

/** Binds the use cases' reports to Prometheus metrics and (rate-limited) warnings. */
@Injectable()
export class MetricsCacheTelemetry implements CacheTelemetry {
  private readonly logger = new Logger('CacheTiers');
  private readonly metrics = StrataMetrics.shared();
  private readonly lastLogged = new Map<string, number>();

  lookup(tier: Tier, outcome: TierOutcome, seconds: number): void {
    this.metrics.lookups.inc({ tier, outcome });
    if (outcome === 'hit' || outcome === 'miss') this.metrics.lookupDuration.observe({ tier }, seconds);
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
