import { randomUUID } from 'node:crypto';
import { type RequestListener, type Server, type ServerOptions, createServer } from 'node:http';
import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type StrataConfig } from '@strata/config';
import { type Socket } from 'node:net';
import { type ErrorBody, ErrorCode, MAX_JSON_DEPTH, jsonDepth } from '@strata/contracts';
import {
  type AccessLog,
  type AccessLogFields,
  CORRELATION_HEADER,
  Tracing,
  accessLogWriter,
  coalescedWrites,
} from '@strata/observability';
import { HitReplays, HttpExceptionFilter, accessNoteOf } from '@strata/service-gateway';
import { type FastifyReply, type FastifyRequest } from 'fastify';

function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (headers too large, a malformed request
 * line, a client too slow to send its headers), answered in the one JSON error format.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          errorBody(ErrorCode.PayloadTooLarge, 'request headers are larger than the server accepts'),
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', errorBody(ErrorCode.InvalidRequest, 'the request was not received in time')]
        : [400, 'Bad Request', errorBody(ErrorCode.InvalidRequest, 'malformed HTTP request')];
  const json = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(json)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${json}`,
    );
  }
  socket.destroy(error);
}

/** Errors Fastify's router raises before a route runs (a URL that does not decode, a path parameter over its limit). */
function frameworkErrors(error: Error & { code?: string }, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, body] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, errorBody(ErrorCode.InvalidRequest, 'a path segment is longer than the server accepts')]
      : [400, errorBody(ErrorCode.InvalidRequest, 'the URL is not valid (malformed percent-encoding)')];
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * One info line per request once its response is written: method, path (never the query: a search may hold
 * prompt text), status, the cache's answer and tier, time taken, tenant and request id. Never a key or prompt.
 */
function accessLog(
  write: (line: AccessLogFields) => void,
): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  return (request, reply, done) => {
    const url = request.url;
    const query = url.indexOf('?');
    const note = accessNoteOf(request);
    write({
      method: request.method,
      path: query < 0 ? url : url.slice(0, query),
      status: reply.statusCode,
      cache: note.cache,
      tier: note.tier,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      tenant: note.tenant,
      requestId: request.id,
    });
    done();
  };
}

/** Fastify's own HTTP/1 server settings, applied to the server the front door listens on. */
interface FastifyServerOptions {
  readonly http?: ServerOptions;
  readonly keepAliveTimeout: number;
  readonly requestTimeout: number;
  readonly connectionTimeout: number;
  readonly maxRequestsPerSocket: number;
}

/**
 * A server for Fastify's `serverFactory` that hands each request to `front()` once it is set (the gateway's
 * `HitReplays`, known only after the app is created), else to Fastify; the server is set up as Fastify sets up its own.
 */
function frontDoorServer(
  handler: RequestListener,
  options: FastifyServerOptions,
  front: () => RequestListener | undefined,
): Server {
  const server = createServer(options.http ?? {}, (req, res) => {
    const listener = front();
    if (listener === undefined) handler(req, res);
    else listener(req, res);
  });
  server.keepAliveTimeout = options.keepAliveTimeout;
  server.requestTimeout = options.requestTimeout;
  server.setTimeout(options.connectionTimeout);
  if (options.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  return server;
}

export interface HttpAppOptions {
  /**
   * Headers every response starts with, set in the first request hook so that errors, 404s and 415s carry
   * them too; a handler may overwrite them (the gateway's `Cache-Control: private, no-store`, which only public
   * answers replace). A hook that already runs, not a NestJS interceptor: an interceptor costs every request
   * an async-resource bind and an Observable chain.
   */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /**
   * The gateway's front door (`HitReplays`): requests reach the HTTP server's listener before Fastify, so that an
   * L1 hit asked again is replayed without Fastify's routing and parsing. The app's module must provide `HitReplays`.
   */
  readonly frontDoor?: boolean;
}

/**
 * A NestJS app on Fastify with Strata's HTTP conventions: body limit (413), JSON errors for everything
 * Fastify rejects before a route runs (bad JSON, wrong media type), a request id from `X-Request-Id`
 * (or a new one) echoed on the response, and an access-log line per request unless `STRATA_ACCESS_LOG=off`.
 */
export async function createHttpApp(
  module: unknown,
  config: StrataConfig,
  logger: LoggerService,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const responseHeaders = Object.entries(options.responseHeaders ?? {});
  let front: RequestListener | undefined;
  let fastifyHandler: RequestListener | undefined;
  const adapter = new FastifyAdapter({
    ...(options.frontDoor === true
      ? {
          serverFactory: (handler: RequestListener, serverOptions: Record<string, unknown>) => {
            fastifyHandler ??= handler;
            // Fastify's options, defaults applied (see its own server set-up).
            return frontDoorServer(handler, serverOptions as unknown as FastifyServerOptions, () => front);
          },
        }
      : {}),
    bodyLimit: config.http.bodyLimitBytes,
    requestIdHeader: CORRELATION_HEADER,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // Per-client limits (failed authentication) key on request.ip: behind a proxy, its X-Forwarded-For.
    trustProxy: config.http.trustProxy,
    clientErrorHandler,
    frameworkErrors,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    module as Parameters<typeof NestFactory.create>[0],
    adapter,
    {
      logger,
      abortOnError: false,
    },
  );
  app.useGlobalFilters(new HttpExceptionFilter());
  const fastify = app.getHttpAdapter().getInstance();
  // A server span per request when OpenTelemetry is on (OTEL_EXPORTER_OTLP_ENDPOINT); no hook at all otherwise.
  Tracing.traceHttp(fastify);
  // The API speaks JSON only: a body of any other media type is refused before parsing.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    // Echoed on every answer; set here rather than in an onSend hook (one hook less per request). Handlers pass
    // `request.id` on explicitly (`RequestContext`) to the messages the request causes and to their log lines.
    void reply.header(CORRELATION_HEADER, request.id);
    for (const [name, value] of responseHeaders) void reply.header(name, value);
    const type = request.headers['content-type'];
    const hasBody = request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
    if ((type !== undefined || hasBody) && !(type ?? '').toLowerCase().startsWith('application/json')) {
      void reply.status(415).send({
        error: { code: ErrorCode.UnsupportedMediaType, message: 'send JSON: Content-Type: application/json' },
      });
      return;
    }
    done();
  });
  // JSON nested deeper than anything real is refused once, here, for every endpoint: nothing after this point
  // (keys, stores, replies) ever meets it. The gateway's hot routes make the same check on the bodies they parse
  // ahead of Fastify (`FastifyHotRoutes`): a hook added between parsing and the handler must be added there too.
  fastify.addHook('preValidation', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.body !== null && typeof request.body === 'object' && jsonDepth(request.body) > MAX_JSON_DEPTH) {
      void reply
        .status(400)
        .send(errorBody(ErrorCode.InvalidRequest, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`));
      return;
    }
    done();
  });
  let writeAccessLine: AccessLog | undefined;
  if (config.log.access === 'on') {
    const format = config.log.format ?? (process.stdout.isTTY === true ? 'pretty' : 'json');
    // One line per request: in JSON, the lines of up to 100 ms leave stdout in one write (a write per line was the
    // largest cost of a cache hit after the response's own).
    const coalesced = format === 'json' ? coalescedWrites(process.stdout) : undefined;
    // Its fields are picked in `accessLog` and by the front door (never a key or prompt text).
    const write = accessLogWriter(config.log.level, 'strata-access', format, coalesced ?? process.stdout);
    // The last lines leave when the server has closed, not a window later.
    if (coalesced !== undefined)
      fastify.addHook('onClose', (_instance: unknown, done: () => void) => {
        coalesced.flush();
        done();
      });
    writeAccessLine = write;
    fastify.addHook('onResponse', accessLog(writeAccessLine));
  }
  if (options.frontDoor === true && fastifyHandler !== undefined) {
    const replays = app.get(HitReplays, { strict: false });
    front = replays.listener(fastifyHandler, writeAccessLine);
    // From the moment the app starts closing, every request goes to Fastify (its 503 while closing).
    fastify.addHook('preClose', (done: () => void) => {
      replays.close();
      done();
    });
  }
  return app;
}
