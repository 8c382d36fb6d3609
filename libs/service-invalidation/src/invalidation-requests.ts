import { Injectable } from '@nestjs/common';
import {
  DATA_CHANGES_TOPIC,
  type DataChangeEvent,
  INVALIDATION_PURGE_TOPIC,
  INVALIDATION_RECENT_TOPIC,
  type InvalidationPurgeReply,
  type InvalidationRecentReply,
  dataChangeEventSchema,
  invalidationPurgeRequestSchema,
  invalidationRecentRequestSchema,
  type RequestContext,
} from '@strata/contracts';
import { Tracing } from '@strata/observability';
import { parsePayload } from '@strata/transport';
import { ApplyDataChangeUseCase, type DataChangeOutcome } from './apply-data-change.use-case';
import { PurgeFanOutUseCase } from './purge-fan-out.use-case';
import { RecentActivity } from './recent-activity';

/**
 * The invalidation service's requests and events, validated against their contracts: served over Kafka by its
 * message controllers and called directly in the embedded default ({@link DirectInvalidation}).
 */
@Injectable()
export class InvalidationRequests {
  constructor(
    private readonly fanOut: PurgeFanOutUseCase,
    private readonly applyDataChange: ApplyDataChangeUseCase,
    private readonly activity: RecentActivity,
  ) {}

  /** `context`: the request the purge is for, passed on with the purge's messages. */
  async purge(data: unknown, context: RequestContext = {}): Promise<InvalidationPurgeReply> {
    return await Tracing.span('invalidation.purge', {}, () =>
      this.fanOut.execute(parsePayload(invalidationPurgeRequestSchema, data, INVALIDATION_PURGE_TOPIC), context),
    );
  }

  /**
   * Applies a data-change event; what happened (or why it was dead-lettered) goes to the recent-activity ring.
   * `context`: the request that published it, if any.
   */
  async dataChange(data: unknown, context: RequestContext = {}): Promise<DataChangeOutcome> {
    let event: DataChangeEvent;
    try {
      event = parsePayload(dataChangeEventSchema, data, DATA_CHANGES_TOPIC);
    } catch (error) {
      this.activity.deadLettered(DATA_CHANGES_TOPIC, data, (error as Error).message);
      throw error;
    }
    const startedAt = Date.now();
    try {
      const outcome = await Tracing.span('invalidation.apply', { 'strata.event': event.id }, () =>
        this.applyDataChange.execute(event, context),
      );
      this.activity.handled(event, outcome, startedAt);
      return outcome;
    } catch (error) {
      this.activity.handled(event, error instanceof Error ? error : new Error(String(error)), startedAt);
      throw error;
    }
  }

  recent(data: unknown): Promise<InvalidationRecentReply> {
    const { tenant } = parsePayload(invalidationRecentRequestSchema, data, INVALIDATION_RECENT_TOPIC);
    return Promise.resolve(this.activity.recent(tenant));
  }
}
