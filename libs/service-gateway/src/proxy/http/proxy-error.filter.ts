import { type ArgumentsHost, type ExceptionFilter, Logger } from '@nestjs/common';
import { type ErrorBody } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { toErrorResponse } from '../../http/http-exception.filter';
import { RateLimitedError } from '../../openai/http/proxy-access';
import { UpstreamFailure } from '../../openai/upstream/upstream-client';

/**
 * What every proxy API's error filter does (upstream status kept, 5xx of our own logged, `Retry-After` on 429,
 * a stream already under way cut); each API supplies only the body's wire shape.
 */
export abstract class ProxyErrorFilter implements ExceptionFilter {
  private readonly logger: Logger;

  protected constructor(context: string) {
    this.logger = new Logger(context);
  }

  protected abstract body(error: ErrorBody['error'], status: number): unknown;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const mapped = toErrorResponse(exception);
    const status = exception instanceof UpstreamFailure ? exception.status : mapped.status;
    if (status >= 500 && !(exception instanceof UpstreamFailure)) {
      // Fields, not one interpolated string: the path without its query (search text), the error as `err`.
      this.logger.error({
        msg: `request failed with ${status}`,
        method: request.method,
        path: request.url.split('?', 1)[0],
        status,
        err: exception instanceof Error ? exception : String(exception),
      });
    }
    if (exception instanceof RateLimitedError) void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(this.body(mapped.body.error, status));
  }
}
