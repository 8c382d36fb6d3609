import { type RequestContext } from '@strata/contracts';
import { Tracing } from '@strata/observability';
import { requestHeaders } from './request-context';

/** A Kafka message as NestJS' Kafka serializer takes it; the in-process transport delivers `value`. */
interface MessageEnvelope<T> {
  readonly key?: string;
  readonly value: T;
  readonly headers?: Record<string, string>;
}

/**
 * Wraps a payload for sending: an optional partition key, and as headers the id of the request it is sent for (if
 * any) and the current trace context.
 */
export function envelope<T>(value: T, key?: string, context: RequestContext = {}): MessageEnvelope<T> {
  const headers = requestHeaders(context);
  Tracing.inject(headers);
  return {
    ...(key === undefined ? {} : { key }),
    value,
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
  };
}
