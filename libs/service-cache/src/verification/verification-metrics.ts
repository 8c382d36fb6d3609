import { Logger } from '@nestjs/common';
import { type JudgePurpose, type VerificationTelemetry, type WrongHitEstimate } from '@strata/cache-core';
import { StrataMetrics } from '@strata/observability';
import { Counter, Gauge, type Registry } from 'prom-client';

const LOG_EVERY_MS = 10_000;

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  return (
    (registry.getSingleMetric(name) as Gauge | undefined) ??
    new Gauge({ name, help, labelNames: ['namespace'], registers: [registry] })
  );
}

/** Binds hit verification's reports to Prometheus metrics (on the process' registry) and rate-limited warnings. */
export class VerificationMetrics implements VerificationTelemetry {
  private readonly logger = new Logger('HitVerification');
  private readonly lastLogged = new Map<string, number>();
  private readonly judgeCalls: Counter;
  private readonly verifiedHits: Counter;
  private readonly audits: Counter;
  private readonly wrongRate: Gauge;
  private readonly wrongUpper: Gauge;

  constructor(registry: Registry = StrataMetrics.shared().registry) {
    this.judgeCalls = counter(registry, 'strata_judge_calls_total', 'Model judge calls by purpose and verdict.', [
      'purpose',
      'verdict',
    ]);
    this.verifiedHits = counter(
      registry,
      'strata_semantic_hits_verified_total',
      'Semantic hits decided by the model judge (the similarity alone was below the threshold).',
      ['decided_by'],
    );
    this.audits = counter(registry, 'strata_hit_audits_total', 'Audited semantic hits by namespace and result.', [
      'namespace',
      'result',
    ]);
    this.wrongRate = gauge(
      registry,
      'strata_wrong_hit_rate',
      'Wrong-hit rate of audited semantic hits, per namespace.',
    );
    this.wrongUpper = gauge(
      registry,
      'strata_wrong_hit_rate_upper_bound',
      '95% Wilson upper bound of the wrong-hit rate, per namespace.',
    );
  }

  judgeCall(purpose: JudgePurpose, outcome: 'yes' | 'no' | 'none'): void {
    this.judgeCalls.inc({ purpose, verdict: outcome });
  }

  verifiedHit(): void {
    this.verifiedHits.inc({ decided_by: 'judge' });
  }

  audited(namespace: string, passed: boolean, estimate: WrongHitEstimate): void {
    this.audits.inc({ namespace, result: passed ? 'pass' : 'fail' });
    this.wrongRate.set({ namespace }, estimate.rate);
    this.wrongUpper.set({ namespace }, estimate.upperBound);
  }

  error(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - (this.lastLogged.get(operation) ?? 0) < LOG_EVERY_MS) return;
    this.lastLogged.set(operation, now);
    this.logger.warn(
      `hit verdicts ${operation} failed: ${error instanceof Error ? error.message : String(error)} (semantic hits refused meanwhile)`,
    );
  }
}
