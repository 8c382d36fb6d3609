import {
  DATA_CHANGES_TOPIC,
  INVALIDATION_PURGE_TOPIC,
  INVALIDATION_RECENT_TOPIC,
  type CallOptions,
  type DataChangeEvent,
  type Invalidation,
  type InvalidationPurgeReply,
  type InvalidationPurgeRequest,
  type InvalidationRecentReply,
  type InvalidationRecentRequest,
  type RequestContext,
  invalidationPurgeReplySchema,
  invalidationRecentReplySchema,
} from '@strata/contracts';
import { type KafkaMessaging } from '../kafka/kafka-messaging';
import { parseReply } from '../parse-reply';

/** {@link Invalidation} over Kafka: purges by request-reply (reply validated), data changes as events. */
export class KafkaInvalidation implements Invalidation {
  constructor(private readonly kafka: KafkaMessaging) {}

  async purge(request: InvalidationPurgeRequest, options: CallOptions): Promise<InvalidationPurgeReply> {
    return parseReply(
      invalidationPurgeReplySchema,
      await this.kafka.request(INVALIDATION_PURGE_TOPIC, request, options),
      INVALIDATION_PURGE_TOPIC,
    );
  }

  /** Keyed by tenant, like a user's producer: one tenant's changes stay in order. */
  publish(event: DataChangeEvent, context?: RequestContext): Promise<void> {
    return this.kafka.emit(DATA_CHANGES_TOPIC, event, event.tenant, context);
  }

  /** One replica's recent activity (whichever consumes the request). */
  async recent(request: InvalidationRecentRequest, options: CallOptions): Promise<InvalidationRecentReply> {
    return parseReply(
      invalidationRecentReplySchema,
      await this.kafka.request(INVALIDATION_RECENT_TOPIC, request, options),
      INVALIDATION_RECENT_TOPIC,
    );
  }
}
