import { CORRELATION_HEADER, Correlation } from '@strata/observability';

/** A Kafka message as NestJS' Kafka serializer takes it; the in-process transport delivers `value`. */
export interface MessageEnvelope<T> {
  readonly key?: string;
  readonly value: T;
  readonly headers?: Record<string, string>;
}

/** Wraps a payload for sending: an optional partition key, and the current correlation id as a header. */
export function envelope<T>(value: T, key?: string): MessageEnvelope<T> {
  const id = Correlation.id();
  return {
    ...(key === undefined ? {} : { key }),
    value,
    ...(id === undefined ? {} : { headers: { [CORRELATION_HEADER]: id } }),
  };
}
