import { type CallOptions, type RequestContext } from '@strata/contracts';

/** What the Kafka adapters of the service ports need of a Kafka client. */
export interface KafkaMessaging {
  /**
   * Sends a request (with `options.requestId` as its `x-request-id` header, and `key` as its partition key when given)
   * and resolves with its reply, not yet validated. Errors are `StrataError`s: the peer's own error when it sent one,
   * `cache_unavailable` when no reply came within `options.timeoutMs` or the transport failed.
   */
  request(topic: string, data: unknown, options: CallOptions, key?: string): Promise<unknown>;
  /** Publishes an event (for the request in `context`, if any); resolves once the broker has it. */
  emit(topic: string, data: unknown, key?: string, context?: RequestContext): Promise<void>;
}
