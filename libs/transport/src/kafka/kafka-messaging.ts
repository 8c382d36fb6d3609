/** What the Kafka adapters of the service ports need of a Kafka client. */
export interface KafkaMessaging {
  /**
   * Sends a request (with the current correlation id, and `key` as its partition key when given) and resolves
   * with its reply, not yet validated. Errors are `StrataError`s: the peer's own error when it sent one,
   * `cache_unavailable` when no reply came within `timeoutMs` or the transport failed.
   */
  request(topic: string, data: unknown, timeoutMs: number, key?: string): Promise<unknown>;
  /** Publishes an event; resolves once the broker has it. */
  emit(topic: string, data: unknown, key?: string): Promise<void>;
}
