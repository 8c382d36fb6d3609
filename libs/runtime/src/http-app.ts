import { randomUUID } from 'node:crypto';
import { type INestApplication, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type StrataConfig } from '@strata/config';
import { ErrorCode } from '@strata/contracts';
import { CORRELATION_HEADER, Correlation } from '@strata/observability';
import { HttpExceptionFilter } from '@strata/service-gateway';
import { type FastifyReply, type FastifyRequest } from 'fastify';


/**
 * A NestJS app on Fastify with Strata's HTTP conventions: body limit (413), JSON errors for everything
 * Fastify rejects before a route runs (bad JSON, wrong media type), a request id from `X-Request-Id`
 * (or a new one) echoed on the response.
 */
export async function createHttpApp(module: unknown, config: StrataConfig, logger: LoggerService): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    requestIdHeader: CORRELATION_HEADER,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as Parameters<typeof NestFactory.create>[0], adapter, {
    logger,
    abortOnError: false,
  });
  app.useGlobalFilters(new HttpExceptionFilter());
  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON only: a body of any other media type is refused before parsing.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // Everything this request causes (log lines, Kafka messages, the services that consume them) carries its id.
    Correlation.enter(request.id);
    const type = request.headers['content-type'];
    const hasBody = request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    if ((type !== undefined || hasBody) && !(type ?? '').toLowerCase().startsWith('application/json')) {
      void reply.status(415).send({ error: { code: ErrorCode.UnsupportedMediaType, message: 'send JSON: Content-Type: application/json' } });
      return;
    }
    done();
  });
  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, p: unknown) => void) => {
    void reply.header(CORRELATION_HEADER, request.id);
    done(null, payload);
  });
  return app;
}

export type { INestApplication };
