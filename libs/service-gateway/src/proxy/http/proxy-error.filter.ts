import { type ArgumentsHost, type ExceptionFilter, Logger } from '@nestjs/common';
import { type ErrorBody } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { sendError, toErrorResponse } from '../../http/http-exception.filter';
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
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** The error answer itself (also for routes Fastify serves directly, outside NestJS's filters). */
  send(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const mapped = toErrorResponse(exception);
    const upstream = exception instanceof UpstreamFailure;
    const status = upstream ? exception.status : mapped.status;
    // The upstream's own failures are passed on, not logged as ours.
    sendError(
      this.logger,
      request,
      reply,
      exception,
      status,
      this.body(mapped.body.error, status),
      status >= 500 && !upstream,
    );
  }
}
