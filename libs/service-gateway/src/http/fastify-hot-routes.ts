import { Readable } from 'node:stream';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MAX_JSON_DEPTH, jsonDepth } from '@strata/contracts';
import {
  type FastifyBodyParser,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RouteShorthandOptions,
} from 'fastify';
import { AccessGuard } from '../auth/access.guard';
import { rememberIdentity, tenantOf } from '../auth/request-identity';
import { type Identity } from '../auth/tenant-resolver';
import { FeedbackHeader } from '../feedback/feedback-header.interceptor';
import { ChatCompletionsHttpRoute } from '../openai/http/chat-completions.http-route';
import { OpenAiErrorFilter } from '../openai/http/openai-error.filter';
import { AnthropicErrorFilter } from '../proxy/http/anthropic-error.filter';
import { MessagesHttpRoute } from '../proxy/http/messages.http-route';
import { CacheLookupHttpRoute } from './cache-lookup.http-route';
import { HttpExceptionFilter } from './http-exception.filter';
import { HitReplays } from './replay/hit-replays';
import { ReplayCapture } from './replay/replay-capture';

/**
 * The routes every cache hit takes, registered on the Nest app's Fastify instance as plain Fastify routes: the
 * gateway's hooks (request id, `Cache-Control`, the 415 for non-JSON bodies, the JSON depth limit, the access log)
 * apply as to every route, but NestJS's per-request guard, parameter and filter pipeline does not — the handlers call
 * `AccessGuard.admit` (the one access decision) and answer errors through the same filters' `send`, so every status
 * and body is what the NestJS route gave.
 *
 * - `POST /v1/cache/lookup` (`CacheLookupHttpRoute`), errors as `HttpExceptionFilter`;
 * - `POST /v1/chat/completions` (`ChatCompletionsHttpRoute`, JSON and SSE), errors as `OpenAiErrorFilter`;
 * - `POST /v1/messages` (`MessagesHttpRoute`, JSON and SSE), errors as `AnthropicErrorFilter`.
 *
 * The gateway's front door (`HitReplays`) may have read the body already, made the access decision (it is not made
 * again), and asked the route to record an L1 hit for replay (`ReplayCapture`, passed to the route). A body it read
 * is parsed in the route's `preParsing` hook by Fastify's own JSON parser (`getDefaultJsonParser`, with the app's
 * poisoning settings, as the JSON content-type parser NestJS registers calls it) and the handler answers from there:
 * Fastify's content-type parser step, which costs every body an `AsyncResource` and its `bind`, a stream and a
 * callback chain, is skipped. That step would do nothing else for these routes: no other hook than the app's
 * JSON-depth `preValidation` hook runs between the two (checked here the same way), and a body this path does not
 * take as it is (another media type than plain JSON, JSON that does not parse, nested too deep) is handed to
 * Fastify's parser as it was sent, to be answered as any other request.
 */
/** An error filter's answer, written on a reply (the filters' `send`). */
interface ErrorSender {
  send(error: unknown, request: FastifyRequest, reply: FastifyReply): void;
}

type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>;

/** The `Content-Type`s of a pre-read body parsed in `preParsing`; other ones take Fastify's parser. */
const PLAIN_JSON = /^application\/json(?:; ?charset=utf-8)?$/i;

/**
 * The body the front door read, parsed as Fastify's JSON parser parses it; undefined when Fastify's own steps must
 * see it (not plain JSON, an error of the parser's, or deeper than the app's limit).
 */
function earlyBody(
  request: FastifyRequest,
  body: Buffer,
  parseJson: FastifyBodyParser<string>,
): { readonly value: unknown } | undefined {
  const type = request.headers['content-type'];
  if (type === undefined || !PLAIN_JSON.test(type)) return undefined;
  let parsed: { readonly value: unknown } | undefined;
  // Fastify's JSON parser answers at once, through its callback; it reads a buffer as its UTF-8 string.
  void parseJson(request, body.toString(), (error: Error | null, value?: unknown) => {
    if (error === null) parsed = { value };
  });
  if (parsed === undefined) return undefined;
  const { value } = parsed;
  if (value !== null && typeof value === 'object' && jsonDepth(value) > MAX_JSON_DEPTH) return undefined;
  return parsed;
}

@Injectable()
export class FastifyHotRoutes implements OnModuleInit {
  private readonly errors = new HttpExceptionFilter();
  private readonly openAiErrors = new OpenAiErrorFilter();
  private readonly anthropicErrors = new AnthropicErrorFilter();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly access: AccessGuard,
    private readonly lookup: CacheLookupHttpRoute,
    private readonly chat: ChatCompletionsHttpRoute,
    private readonly messages: MessagesHttpRoute,
    /** The header form of hit feedback (`X-Strata-Feedback`), applied before the request is looked up. */
    private readonly feedbackHeader: FeedbackHeader,
  ) {}

  onModuleInit(): void {
    // No HTTP server (a message-only context): nothing to register.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance | undefined>();
    if (fastify === undefined || typeof fastify.post !== 'function') return;
    const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
    const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
    const hot = (handler: RouteHandler): RouteShorthandOptions => ({
      preParsing: (request, reply, payload, done) => {
        const body = HitReplays.body(request.raw);
        if (body === undefined) return done(null, payload);
        const early = earlyBody(request, body, parseJson);
        if (early === undefined) return done(null, Readable.from([body]));
        // Answered here (`done` is not called). The handler answers its own errors; anything else goes to Fastify's
        // error handling, as a rejected handler's does.
        request.body = early.value;
        handler(request, reply).catch((error: unknown) => {
          if (!reply.sent) void reply.send(error);
        });
      },
    });
    const lookup: RouteHandler = (request, reply) => this.serveLookup(request, reply);
    const chat = this.proxyRoute(
      (identity, request, reply, capture) => this.chat.chatCompletions(identity, request, reply, capture),
      this.openAiErrors,
    );
    const messages = this.proxyRoute(
      (identity, request, reply, capture) => this.messages.create(identity, request, reply, capture),
      this.anthropicErrors,
    );
    fastify.post('/v1/cache/lookup', hot(lookup), lookup);
    fastify.post('/v1/chat/completions', hot(chat), chat);
    fastify.post('/v1/messages', hot(messages), messages);
  }

  /** The access decision: the front door's, if it made it, else made here. */
  private admit(request: FastifyRequest): Identity {
    const admitted = HitReplays.admitted(request.raw);
    if (admitted === undefined) return this.access.admit(request, undefined);
    rememberIdentity(request, admitted);
    return admitted;
  }

  private async serveLookup(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      const tenant = tenantOf(this.admit(request));
      await this.feedbackHeader.apply(request, reply);
      const answer = await this.lookup.lookup(tenant, request.body, request, ReplayCapture.of(request.raw));
      return reply.code(200).send(answer);
    } catch (error) {
      this.errors.send(error, request, reply);
      return reply;
    }
  }

  /**
   * A proxy route's handler (built once, at registration): the access decision, the feedback header, then `serve`,
   * which writes the reply itself; errors in the API's own format through `errors`.
   */
  private proxyRoute(
    serve: (
      identity: Identity,
      request: FastifyRequest,
      reply: FastifyReply,
      capture: ReplayCapture | undefined,
    ) => Promise<void>,
    errors: ErrorSender,
  ): RouteHandler {
    return async (request, reply) => {
      try {
        const identity = this.admit(request);
        await this.feedbackHeader.apply(request, reply);
        await serve(identity, request, reply, ReplayCapture.of(request.raw));
      } catch (error) {
        errors.send(error, request, reply);
      }
      return reply;
    };
  }
}
