import { CORRELATION_HEADER, Correlation, Tracing } from '@strata/observability';

/** A Kafka message as NestJS' Kafka serializer takes it; the in-process transport delivers `value`. */
interface MessageEnvelope<T> {
  readonly key?: string;
  readonly value: T;
  readonly headers?: Record<string, string>;
}

/** Wraps a payload for sending: an optional partition key, the current correlation id and trace context as headers. */
export function envelope<T>(value: T, key?: string): MessageEnvelope<T> {
  const id = Correlation.id();
  const headers: Record<string, string> = id === undefined ? {} : { [CORRELATION_HEADER]: id };
  Tracing.inject(headers);
  return {
    ...(key === undefined ? {} : { key }),
    value,
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
  };
}
