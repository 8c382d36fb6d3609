import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { toErrorResponse } from '../../http/http-exception.filter';
import { RateLimitedError } from '../../openai/http/proxy-access';
import { UpstreamFailure } from '../../openai/upstream/upstream-client';
import { anthropicErrorType } from '../formats/anthropic-messages/anthropic-errors';

/**
 * Errors of `/v1/messages` in Anthropic's shape, so the Anthropic SDKs raise the right error class:
 * `{"type":"error","error":{"type","message","code"}}` (`code`: Strata's error code); `Retry-After` on 429.
 */
@Catch()
export class AnthropicErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('AnthropicProxy');

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
      .send({ type: 'error', error: { ...mapped.body.error, type: anthropicErrorType(status) } });
  }
}
