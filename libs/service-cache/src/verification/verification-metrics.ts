import { Logger } from '@nestjs/common';
import {
  type JudgePurpose,
  type JudgeUsage,
  type VerificationTelemetry,
  type WrongHitEstimate,
} from '@strata/cache-core';
import { StrataMetrics } from '@strata/observability';
import { Counter, Gauge, type Registry } from 'prom-client';

const LOG_EVERY_MS = 10_000;
/** Distinct tenant and namespace label values on the judge token metric; later ones are counted as `other`. */
const MAX_LABELS = 200;

function counter(registry: Registry, name: string, help: string, labelNames: string[]): Counter {
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  return (
    (registry.getSingleMetric(name) as Gauge | undefined) ??
    new Gauge({ name, help, labelNames: ['tenant', 'namespace'], registers: [registry] })
  );
}

/** USD per 1M tokens of the judge's model (its `pricing.models` entry). */
export interface JudgePrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
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
  private readonly judgeTokens: Counter;
  private readonly judgeCost: Counter;
  private readonly labelled = { tenant: new Set<string>(), namespace: new Set<string>() };

  /**
   * `judgePrice`: the price of the judge's model (from `pricing.models`, the rule the gateway prices savings with);
   * without one, no judge cost is counted in USD (its tokens still are).
   */
  constructor(
    registry: Registry = StrataMetrics.shared().registry,
    private readonly judgePrice?: JudgePrice,
  ) {
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
    this.audits = counter(
      registry,
      'strata_hit_audits_total',
      'Audited semantic hits by tenant, namespace and result.',
      ['tenant', 'namespace', 'result'],
    );
    this.wrongRate = gauge(
      registry,
      'strata_wrong_hit_rate',
      "Wrong-hit rate of audited semantic hits, per tenant's namespace.",
    );
    this.wrongUpper = gauge(
      registry,
      'strata_wrong_hit_rate_upper_bound',
      "95% Wilson upper bound of the wrong-hit rate, per tenant's namespace.",
    );
    this.judgeTokens = counter(
      registry,
      'strata_judge_tokens_total',
      "Tokens the model judge's endpoint reported using, by tenant, namespace and kind (input, output).",
      ['tenant', 'namespace', 'kind'],
    );
    this.judgeCost = counter(
      registry,
      'strata_judge_cost_usd_total',
      "USD the model judge's reported tokens cost at its model's configured price, by tenant and namespace (beside strata_cost_saved_usd_total).",
      ['tenant', 'namespace'],
    );
  }

  judgeUsage(tenant: string, namespace: string, usage: JudgeUsage): void {
    const labels = { tenant: this.label('tenant', tenant), namespace: this.label('namespace', namespace) };
    if (usage.inputTokens > 0) this.judgeTokens.inc({ ...labels, kind: 'input' }, usage.inputTokens);
    if (usage.outputTokens > 0) this.judgeTokens.inc({ ...labels, kind: 'output' }, usage.outputTokens);
    if (!this.judgePrice) return;
    const usd =
      (usage.inputTokens * this.judgePrice.inputPerMillion + usage.outputTokens * this.judgePrice.outputPerMillion) /
      1_000_000;
    if (usd > 0) this.judgeCost.inc(labels, usd);
  }

  judgeCall(purpose: JudgePurpose, outcome: 'yes' | 'no' | 'none'): void {
    this.judgeCalls.inc({ purpose, verdict: outcome });
  }

  verifiedHit(): void {
    this.verifiedHits.inc({ decided_by: 'judge' });
  }

  audited(tenant: string, namespace: string, passed: boolean, estimate: WrongHitEstimate): void {
    const labels = { tenant: this.label('tenant', tenant), namespace: this.label('namespace', namespace) };
    this.audits.inc({ ...labels, result: passed ? 'pass' : 'fail' });
    this.wrongRate.set(labels, estimate.rate);
    this.wrongUpper.set(labels, estimate.upperBound);
  }

  /** Client-chosen label values are bounded: the first `MAX_LABELS` are kept, later ones are `other`. */
  private label(kind: 'tenant' | 'namespace', value: string): string {
    const seen = this.labelled[kind];
    if (seen.has(value)) return value;
    if (seen.size >= MAX_LABELS) return 'other';
    seen.add(value);
    return value;
  }

  error(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - (this.lastLogged.get(operation) ?? 0) < LOG_EVERY_MS) return;
    this.lastLogged.set(operation, now);
    this.logger.warn(
      `hit verdicts ${operation} failed: ${error instanceof Error ? error.message : String(error)}${operation === 'read' ? ' (semantic hits refused meanwhile)' : ''}`,
    );
  }
}
