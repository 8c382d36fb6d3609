import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { type ErrorBody, ErrorCode, StrataError } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { RateLimitedError } from '../openai/http/proxy-access';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.InvalidRequest]: HttpStatus.BAD_REQUEST,
  [ErrorCode.InvalidJson]: HttpStatus.BAD_REQUEST,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.NotCacheable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.StaleEntry]: HttpStatus.CONFLICT,
  [ErrorCode.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.CacheUnavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.UpstreamError]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.InvalidMessage]: HttpStatus.BAD_REQUEST,
  [ErrorCode.InvalidReply]: HttpStatus.BAD_GATEWAY,
  [ErrorCode.Internal]: HttpStatus.INTERNAL_SERVER_ERROR,
};

function statusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

/** Maps any error to `{"error":{"code","message"}}` with the right status; never leaks a stack trace. */
export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof StrataError) return { status: statusOf(exception.code), body: exception.toBody() };
  // A path parameter that does not percent-decode (decodeURIComponent in a handler).
  if (exception instanceof URIError)
    return {
      status: 400,
      body: { error: { code: ErrorCode.InvalidRequest, message: 'the URL is not valid (malformed percent-encoding)' } },
    };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // Fastify's own rejections (bad JSON, body too large, wrong media type) arrive here mapped by NestJS.
    const code =
      status === 404
        ? ErrorCode.NotFound
        : status === 413
          ? ErrorCode.PayloadTooLarge
          : status === 415
            ? ErrorCode.UnsupportedMediaType
            : status === 400 && /JSON/.test(exception.message)
              ? ErrorCode.InvalidJson
              : status < 500
                ? ErrorCode.InvalidRequest
                : ErrorCode.Internal;
    const message =
      status === 404
        ? 'no such route'
        : code === ErrorCode.InvalidJson
          ? 'request body is not valid JSON'
          : exception.message;
    return { status, body: { error: { code, message } } };
  }
  return { status: 500, body: { error: { code: ErrorCode.Internal, message: 'internal error' } } };
}

/**
 * Sends an error answer as every gateway filter does: a 5xx of our own logged (fields, not one interpolated string:
 * the path without its query, which can hold search text; the error as `err`), `Retry-After` on a rate limit, JSON.
 */
export function sendError(
  logger: Logger,
  request: FastifyRequest,
  reply: FastifyReply,
  exception: unknown,
  status: number,
  body: unknown,
  logged = status >= 500,
): void {
  if (logged) {
    logger.error({
      msg: `request failed with ${status}`,
      method: request.method,
      path: request.url.split('?', 1)[0],
      status,
      err: exception instanceof Error ? exception : String(exception),
      requestId: request.id,
    });
  }
  if (exception instanceof RateLimitedError) void reply.header('retry-after', String(exception.retryAfterSeconds));
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** The error answer itself (also for routes Fastify serves directly, outside NestJS's filters). */
  send(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { status, body } = toErrorResponse(exception);
    sendError(this.logger, request, reply, exception, status, body);
  }
}
