import { type ArgumentsHost, type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { type RequestContext } from '@strata/contracts';
import { CORRELATION_HEADER } from '@strata/observability';

/** The headers that name the request a message is sent for: none when no request caused it. */
export function requestHeaders(context: RequestContext): Record<string, string> {
  return context.requestId === undefined ? {} : { [CORRELATION_HEADER]: context.requestId };
}

/** The request a consumed message was sent for: its `x-request-id` header (raw or parsed by NestJS). */
export function requestContextOf(headers: Readonly<Record<string, unknown>> | null | undefined): RequestContext {
  const raw = headers?.[CORRELATION_HEADER];
  const value: unknown = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value === 'string') return { requestId: value };
  return Buffer.isBuffer(value) ? { requestId: value.toString() } : {};
}

/**
 * A message handler's parameter: the {@link RequestContext} of the Kafka message it serves, for the use case to pass
 * on (its onward messages and log lines name the request). Empty for a message no request caused.
 */
export const MessageRequestContext = createParamDecorator((_data: unknown, host: ExecutionContext): RequestContext =>
  messageRequestContext(host),
);

/** The {@link RequestContext} of the Kafka message a handler (or its exception filter) serves; empty for any other. */
export function messageRequestContext(host: ArgumentsHost): RequestContext {
  const context: unknown = host.switchToRpc().getContext();
  return context instanceof KafkaContext ? requestContextOf(context.getMessage().headers) : {};
}
