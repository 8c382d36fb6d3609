import { Inject, Injectable, Optional } from '@nestjs/common';
import { entryTag } from '@strata/cache-core';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import {
  CACHE_SERVICE,
  type CacheService,
  ErrorCode,
  type FeedbackVerdict,
  L1_EVICTIONS,
  type L1Evictions,
  type RequestContext,
  StrataError,
} from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { Counter } from 'prom-client';
import { type CacheRequest, GatewayCache } from '../cache-api/gateway-cache';
import { AnsweredRequests } from './answered-requests';

/** What a verdict names: an entry (optionally with the request it answered) or the request id of an answer. */
export type FeedbackTarget =
  { readonly entryId: string; readonly query?: CacheRequest | undefined } | { readonly requestId: string };

export interface FeedbackOutcome {
  readonly entryId: string;
  readonly verdict: FeedbackVerdict;
  /** `blocked`: that pairing no longer hits on any gateway; `purged`: the entry is gone from every tier; `counted`. */
  readonly action: 'blocked' | 'purged' | 'counted';
  readonly wrong: number;
  readonly right: number;
  readonly thresholdRaise: number;
}

const FEEDBACK_TIMEOUT_MS = 5_000;

function feedbackCounter(): Counter {
  const registry = StrataMetrics.shared().registry;
  return (
    (registry.getSingleMetric('strata_hit_feedback_total') as Counter | undefined) ??
    new Counter({
      name: 'strata_hit_feedback_total',
      help: 'Client verdicts on cache answers, by verdict and what they did.',
      labelNames: ['verdict', 'action'],
      registers: [registry],
    })
  );
}

/**
 * Applies a client's verdict on an answer: the cache service records it (and blocks a wrong semantic pairing in
 * the shared verdict store); this gateway then evicts the pairing from every gateway's L1 (a broadcast, like a
 * purge's) or purges the entry from every tier when the answer itself is wrong. Tenants reach their own entries only.
 */
@Injectable()
export class HitFeedback {
  private readonly enabled: boolean;
  private readonly counter = feedbackCounter();

  constructor(
    @Inject(STRATA_CONFIG) config: StrataConfig,
    private readonly cache: GatewayCache,
    private readonly answered: AnsweredRequests,
    @Inject(CACHE_SERVICE) private readonly cacheService: CacheService,
    /** Absent in a gateway built without the broadcast (then only this replica's L1 is evicted). */
    @Optional() @Inject(L1_EVICTIONS) private readonly evictions?: L1Evictions,
  ) {
    this.enabled = config.verification.enabled;
  }

  /** `context`: the request giving the verdict (its calls to other services name it). */
  async give(
    tenant: string,
    target: FeedbackTarget,
    verdict: FeedbackVerdict,
    context: RequestContext = {},
  ): Promise<FeedbackOutcome> {
    if (!this.enabled)
      throw new StrataError(
        ErrorCode.NotFound,
        'hit feedback is off on this gateway (STRATA_HIT_FEEDBACK=true turns it on)',
      );
    const { entryId, exactKey } = this.resolve(tenant, target);
    const reply = await this.cacheService.feedback(
      { tenant, entryId, verdict, ...(exactKey === undefined ? {} : { exactKey }) },
      { timeoutMs: FEEDBACK_TIMEOUT_MS, requestId: context.requestId },
    );
    if (!reply.found) throw new StrataError(ErrorCode.NotFound, `no entry ${entryId}`);
    let action: FeedbackOutcome['action'] = 'counted';
    if (reply.action === 'purge') {
      await this.cache.deleteEntry(tenant, entryId, context);
      action = 'purged';
    } else if (reply.action === 'blocked') {
      // Every gateway drops its L1 copies of the entry (the blocked pairing among them); the rest refill from L2.
      const selector = { tenant, tags: [entryTag(entryId)] };
      this.cache.evictL1(selector);
      await this.evictions?.broadcast(selector, context);
      action = 'blocked';
    }
    this.counter.inc({ verdict, action });
    return { entryId, verdict, action, wrong: reply.wrong, right: reply.right, thresholdRaise: reply.thresholdRaise };
  }

  private resolve(tenant: string, target: FeedbackTarget): { entryId: string; exactKey?: string } {
    if ('requestId' in target) {
      const answer = this.answered.find(tenant, target.requestId);
      if (!answer)
        throw new StrataError(
          ErrorCode.NotFound,
          `no recent cache answer with request id ${target.requestId} on this gateway; give the entry id instead`,
        );
      return answer;
    }
    if (target.query === undefined) return { entryId: target.entryId };
    const policy = this.cache.policy(target.query.namespace);
    return { entryId: target.entryId, exactKey: this.cache.fingerprint(tenant, target.query, policy).exactKey };
  }
}
