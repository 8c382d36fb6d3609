import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { toErrorResponse } from '../../http/http-exception.filter';
import { UpstreamFailure } from '../upstream/upstream-client';
import { RateLimitedError } from './proxy-access';
import { openAiErrorType } from './proxy-reply';

/**
 * Errors of the OpenAI-compatible endpoints: Strata's `{"error":{"code","message"}}` plus OpenAI's
 * `type`, so the `openai` SDKs raise the right error class; `Retry-After` on 429.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAiProxy');

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
      this.logger.error(
        `${request.method} ${request.url} (${request.id}) → ${status}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    if (exception instanceof RateLimitedError) void reply.header('retry-after', String(exception.retryAfterSeconds));
    void reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ error: { ...mapped.body.error, type: openAiErrorType(status) } });
  }
}
