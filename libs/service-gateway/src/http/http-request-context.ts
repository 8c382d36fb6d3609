import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { type RequestContext } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';

/**
 * The {@link RequestContext} of an HTTP request: its id (`X-Request-Id`, or the one Fastify made), echoed on the
 * response, passed on to every service call the request makes and named by its log lines.
 */
export function httpRequestContext(request: Pick<FastifyRequest, 'id'>): RequestContext {
  return { requestId: request.id };
}

/** A NestJS handler's parameter: the {@link RequestContext} of the HTTP request it serves. */
export const HttpRequestContext = createParamDecorator((_data: unknown, context: ExecutionContext): RequestContext =>
  httpRequestContext(context.switchToHttp().getRequest<FastifyRequest>()),
);
