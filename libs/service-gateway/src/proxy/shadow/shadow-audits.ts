import { Logger } from '@nestjs/common';
import { JudgeBudget, JudgeSpend, type JudgeSpendRow, entryTag } from '@strata/cache-core';
import { type CacheFeedbackReply, type CacheFeedbackRequest, type JsonValue } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { Counter } from 'prom-client';
import { type AnswerComparator } from './answer-comparator';
import { answerText } from './answer-text';

export type ShadowOutcome = 'pass' | 'fail' | 'skipped' | 'error';

/** A semantic hit the proxy is serving, with what a shadow audit of it needs. */
export interface ServedSemanticHit {
  readonly tenant: string;
  readonly namespace: string;
  /** The served request's exact key (the pairing audited is this key with the entry). */
  readonly exactKey: string;
  /** The root entry that answered. */
  readonly entryId: string;
  readonly similarity: number;
  readonly auditShare: number;
  readonly maxWrongHitRate?: number | undefined;
  /** The cached answer as the JSON body a non-streaming request gets. */
  readonly cached: () => JsonValue | undefined;
  /** Whether an upstream key would be sent (the configured one, or the client's own); without one: skipped. */
  readonly keySent: boolean;
  /** The shadow upstream call (non-streaming, never retried): its complete answer body, or a rejection. */
  readonly fresh: () => Promise<JsonValue>;
}

export interface ShadowAuditOptions {
  /** Shadow calls per second per tenant. */
  readonly callsPerSecond: number;
  /** Shadow calls in flight on this gateway, at most. */
  readonly concurrency: number;
  readonly random: () => number;
  readonly now: () => number;
}

/** The audit result's way to the cache service (the feedback message) and this gateway's L1. */
export interface ShadowAuditSinks {
  readonly feedback: (request: CacheFeedbackRequest) => Promise<CacheFeedbackReply>;
  readonly evictL1: (selector: { tenant: string; tags: string[] }) => void;
}

function auditCounter(): Counter<'outcome'> {
  const registry = StrataMetrics.shared().registry;
  return (
    (registry.getSingleMetric('strata_shadow_audits_total') as Counter<'outcome'> | undefined) ??
    new Counter({
      name: 'strata_shadow_audits_total',
      help: 'Shadow audits of served semantic hits (a fresh upstream answer compared with the cached one), by outcome.',
      labelNames: ['outcome'],
      registers: [registry],
    })
  );
}

/**
 * Shadow audits (namespaces with `verification.audit: shadow`): a share of the semantic hits this gateway serves is
 * asked of the upstream again, in the background once the reply is on its way, and the fresh answer compared with
 * the cached one. The result goes to the cache service as an audit result on the feedback message, where the
 * semantic gate applies it as it applies a judge audit. Bounded: a per-tenant calls-per-second budget and a cap on
 * calls in flight (a sampled hit beyond either is skipped); never streamed, never retried; failures are counted.
 */
export class ShadowAudits {
  private readonly logger = new Logger('ShadowAudits');
  private readonly counter = auditCounter();
  private readonly budget: JudgeBudget;
  /** Calls and tokens of the judge when it compares answers (beside the cache service's, in `/v1/cache/stats`). */
  private readonly judgeSpend = new JudgeSpend();
  private inFlight = 0;

  constructor(
    private readonly comparator: AnswerComparator,
    private readonly sinks: ShadowAuditSinks,
    private readonly options: ShadowAuditOptions,
  ) {
    this.budget = new JudgeBudget(options.callsPerSecond, options.now);
  }

  /** Samples the hit; a sampled one is audited in the background (the caller's reply never waits). */
  served(hit: ServedSemanticHit): void {
    if (hit.auditShare <= 0 || hit.similarity >= 1 || this.options.random() >= hit.auditShare) return;
    if (!hit.keySent || this.inFlight >= this.options.concurrency || !this.budget.take(hit.tenant)) {
      this.count('skipped');
      return;
    }
    this.inFlight += 1;
    setImmediate(() => {
      void this.audit(hit).finally(() => {
        this.inFlight -= 1;
      });
    });
  }

  private async audit(hit: ServedSemanticHit): Promise<void> {
    let outcome: ShadowOutcome;
    try {
      outcome = await this.compareAndReport(hit);
    } catch (error) {
      this.logger.warn(
        `shadow audit of entry ${hit.entryId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      outcome = 'error';
    }
    this.count(outcome);
  }

  private async compareAndReport(hit: ServedSemanticHit): Promise<ShadowOutcome> {
    const cached = answerText(hit.cached());
    if (cached === undefined) return 'skipped';
    const fresh = answerText(await hit.fresh());
    if (fresh === undefined) return 'skipped';
    const agreement = await this.comparator.compare(cached, fresh, (usage) => {
      this.judgeSpend.called(hit.tenant, hit.namespace);
      if (usage) this.judgeSpend.used(hit.tenant, hit.namespace, usage);
    });
    if (agreement === undefined) return 'skipped';
    const reply = await this.sinks.feedback({
      tenant: hit.tenant,
      entryId: hit.entryId,
      verdict: agreement.agree ? 'right' : 'wrong',
      exactKey: hit.exactKey,
      source: 'audit',
      audit: {
        namespace: hit.namespace,
        similarity: hit.similarity,
        ...(hit.maxWrongHitRate === undefined ? {} : { maxWrongHitRate: hit.maxWrongHitRate }),
      },
    });
    // The cache service broadcasts the eviction to every gateway when it can; this one does not wait for it.
    if (reply.action === 'blocked') this.sinks.evictL1({ tenant: hit.tenant, tags: [entryTag(hit.entryId)] });
    return agreement.agree ? 'pass' : 'fail';
  }

  /** The judge calls this gateway's shadow audits made, per tenant and namespace, and their tokens. */
  spend(): JudgeSpendRow[] {
    return this.judgeSpend.snapshot();
  }

  private count(outcome: ShadowOutcome): void {
    this.counter.inc({ outcome });
  }
}
