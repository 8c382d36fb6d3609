import { type ArgumentsHost, Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { KafkaContext, RpcException } from '@nestjs/microservices';
import { ErrorCode, StrataError } from '@strata/contracts';
import { type Observable, from, mergeMap, throwError } from 'rxjs';
import { sendToDeadLetter } from './kafka/dead-letter';
import { messageRequestContext } from './request-context';

/** The error payload a handler's failure travels as; `deadLettered` tells the Kafka server it is handled. */
export interface RpcErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  readonly deadLettered?: boolean;
  /**
   * For the service's own use (dead-letter reasons): what really failed. Not enumerable, so it is never
   * serialised into a reply.
   */
  readonly cause?: string;
}

function internal(exception: unknown, message = 'internal error'): RpcErrorPayload {
  const payload: RpcErrorPayload = { code: ErrorCode.Internal, message };
  Object.defineProperty(payload, 'cause', {
    value: exception instanceof Error ? exception.message : String(exception),
    enumerable: false,
  });
  return payload;
}

function toPayload(exception: unknown): RpcErrorPayload {
  if (exception instanceof StrataError) return { code: exception.code, message: exception.message };
  if (exception instanceof RpcException) {
    const inner = exception.getError();
    const known = StrataError.fromPayload(inner);
    if (known) return { code: known.code, message: known.message };
    return internal(exception, typeof inner === 'string' ? inner : 'internal error');
  }
  return internal(exception);
}

/**
 * Message handlers' errors travel as `{code, message}`; a stack trace never leaves the service. A
 * message that fails validation on Kafka goes to its dead-letter topic (with reason and origin) here,
 * once, whichever handler consumed it.
 */
@Catch()
export class StrataRpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('Messages');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const payload = toPayload(exception);
    // The request the message was sent for, on the lines it causes.
    const request = messageRequestContext(host);
    if (payload.code === ErrorCode.Internal) {
      this.logger.error({
        msg: exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
        ...request,
      });
    }
    const context: unknown = host.switchToRpc().getContext();
    if (payload.code !== ErrorCode.InvalidMessage || !(context instanceof KafkaContext)) {
      return throwError(() => payload);
    }
    const message = context.getMessage();
    this.logger.warn({
      msg: `malformed message on ${context.getTopic()}/${context.getPartition()}@${message.offset}: ${payload.message}`,
      ...request,
    });
    const producer = context.getProducer();
    return from(
      sendToDeadLetter(
        producer,
        {
          topic: context.getTopic(),
          partition: context.getPartition(),
          offset: message.offset,
          key: message.key,
          value: message.value,
        },
        payload.message,
        'invalid',
      ),
    ).pipe(mergeMap(() => throwError(() => ({ ...payload, deadLettered: true }))));
  }
}
