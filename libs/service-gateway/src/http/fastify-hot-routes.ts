import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteShorthandOptions } from 'fastify';
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
 * The gateway's front door (`HitReplays`) may have read the body already (it is handed to Fastify's parser as it
 * was sent), made the access decision (it is not made again), and asked the route to record an L1 hit for replay
 * (`ReplayCapture`, passed to the route).
 */
/** An error filter's answer, written on a reply (the filters' `send`). */
interface ErrorSender {
  send(error: unknown, request: FastifyRequest, reply: FastifyReply): void;
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
    // The body as the front door read it, when it did.
    const options: RouteShorthandOptions = {
      preParsing: (request, _reply, payload, done) => done(null, HitReplays.payload(request.raw, payload)),
    };
    fastify.post('/v1/cache/lookup', options, (request, reply) => this.serveLookup(request, reply));
    fastify.post(
      '/v1/chat/completions',
      options,
      this.proxyRoute(
        (identity, request, reply, capture) => this.chat.chatCompletions(identity, request, reply, capture),
        this.openAiErrors,
      ),
    );
    fastify.post(
      '/v1/messages',
      options,
      this.proxyRoute(
        (identity, request, reply, capture) => this.messages.create(identity, request, reply, capture),
        this.anthropicErrors,
      ),
    );
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
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
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
