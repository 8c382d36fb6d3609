import { Inject, Injectable } from '@nestjs/common';
import { type CacheEntry, type NamespacePolicy, RESERVED_TAG_PREFIX, type RequestFingerprint, ageSeconds, cacheability, entryIdFromKey } from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError, chatMessageSchema, modelSchema } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { type CacheRequest, GatewayCache, type LookupOutcome } from '../../cache-api/gateway-cache';
import { parseBody } from '../../http/parse-body';
import { enforceLimits } from '../../http/request-limits';
import { type FlightControl, RequestCoalescer } from '../coalescing/request-coalescer';
import { type ProxyControls } from '../controls/proxy-controls';
import { SavingsRecorder } from '../cost/savings-recorder';
import { type ClientConnection } from '../http/client-connection';
import { type CacheReport, cacheHeaders } from '../http/cache-headers';
import { type Caller } from '../http/proxy-access';
import { JSON_CONTENT_TYPE, type ProxyReply, SSE_CONTENT_TYPE, errorBody, liveFrames, renderSse, staticFrames } from '../http/proxy-reply';
import { chunksOf, completionOf } from '../sse/chat-stream';
import { ProxyStoreQueue } from '../store/proxy-store-queue';
import { UpstreamClient, credentialDigest } from '../upstream/upstream-client';
import { UpstreamRouter, type UpstreamTarget } from '../upstream/upstream-router';
import { ChatFlight } from './chat-flight';
import { RenderedAnswers } from './rendered-answers';

/** What the proxy needs to read from a chat request; everything else is passed on untouched. */
const chatBodySchema = z
  .object({
    model: modelSchema,
    messages: z.array(z.unknown()).min(1, 'messages must not be empty'),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().nullable().optional() }).passthrough().nullable().optional(),
  })
  .passthrough();
type ChatBody = z.infer<typeof chatBodySchema>;

const messagesSchema = z.array(chatMessageSchema);

/** A refreshed stale entry is not refreshed again for this long (even if the refresh failed). */
const REFRESH_BACKOFF_MS = 10_000;

export interface ChatProxyInput {
  readonly caller: Caller;
  /** The request body as the client sent it (parsed JSON). */
  readonly body: unknown;
  readonly controls: ProxyControls;
}

interface Ask {
  readonly caller: Caller;
  readonly raw: Record<string, unknown>;
  readonly body: ChatBody;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly controls: ProxyControls;
}

type Keyed =
  | { readonly kind: 'bypass'; readonly reason: string }
  | { readonly kind: 'cacheable'; readonly request: CacheRequest; readonly policy: NamespacePolicy; readonly fp: RequestFingerprint };
type Cacheable = Extract<Keyed, { kind: 'cacheable' }>;

type MissHeaders = (fwdStatus: number | undefined, stored: boolean) => Record<string, string>;

/**
 * `POST /v1/chat/completions` with the cache in front of the upstream.
 *
 * Cacheable requests are looked up (L1, then the cache service); a hit is answered in the form asked
 * for (a stream record can answer a non-streaming request and the other way round). A miss joins the
 * identical upstream call in flight or starts one; the upstream's answer goes to every request on it
 * unchanged (streams chunk by chunk as they arrive) and is then stored through the store queue, never
 * delaying a response. Requests the cache must not answer (temperature policy, `n > 1`, mode off) are
 * passed through alone and never stored.
 */
@Injectable()
export class ChatCompletionsProxy {
  private readonly metrics = StrataMetrics.shared();
  private readonly flights = new RequestCoalescer<ChatFlight>(() => this.metrics.proxyCoalesced.inc());
  private readonly router: UpstreamRouter;
  private readonly recentRefreshes = new LRUCache<string, true>({ max: 10_000, ttl: REFRESH_BACKOFF_MS });
  private readonly graceByNamespace: Readonly<Record<string, number>>;
  private readonly streamUsage: boolean;
  private readonly rendered = new RenderedAnswers();

  constructor(
    @Inject(STRATA_CONFIG) private readonly config: StrataConfig,
    private readonly cache: GatewayCache,
    private readonly upstream: UpstreamClient,
    private readonly stores: ProxyStoreQueue,
    private readonly savings: SavingsRecorder,
  ) {
    this.router = new UpstreamRouter(config.upstream);
    this.graceByNamespace = config.upstream.staleWhileRevalidateSeconds;
    this.streamUsage = config.upstream.streamUsage;
  }

  async handle(input: ChatProxyInput, connection: ClientConnection): Promise<ProxyReply> {
    const body = parseBody(chatBodySchema, input.body);
    const stream = body.stream === true;
    const ask: Ask = {
      caller: input.caller,
      raw: input.body as Record<string, unknown>,
      body,
      stream,
      includeUsage: stream && body.stream_options?.include_usage === true,
      controls: input.controls,
    };
    const keyed = this.key(ask);
    if (keyed.kind === 'bypass') return this.bypass(ask, keyed.reason, connection);

    let fwd: 'miss' | 'request' | 'stale' = 'request';
    let ticket: number | undefined;
    if (!ask.controls.noCache) {
      const outcome = await this.cache.lookup(ask.caller.tenant, keyed.request, ask.controls.mode === 'exact' ? 'exact' : 'auto', ask.controls.threshold, keyed.fp);
      if (outcome.status === 'bypass') return this.bypass(ask, outcome.reason, connection);
      fwd = 'miss';
      if (outcome.status === 'hit') {
        const served = this.fromHit(ask, keyed, outcome);
        if (served.reply) return served.reply;
        fwd = served.fwd;
      } else {
        ticket = outcome.ticket;
      }
    }
    return this.forward(ask, keyed, fwd, ticket, connection);
  }

  /** Whether the cache may answer this request, and its key when it may. */
  private key(ask: Ask): Keyed {
    const { controls } = ask;
    if (controls.mode === 'off') return { kind: 'bypass', reason: 'mode-off' };
    enforceLimits(this.config.limits, { tags: [...controls.tags] });
    const messages = messagesSchema.safeParse(ask.body.messages);
    if (!messages.success) return { kind: 'bypass', reason: 'unsupported-messages' };
    try {
      enforceLimits(this.config.limits, { messages: messages.data });
    } catch (error) {
      // Over the cache's limits is not an error for the upstream: such requests are passed through.
      if (error instanceof StrataError && error.code === ErrorCode.PayloadTooLarge) return { kind: 'bypass', reason: 'too-large' };
      throw error;
    }
    const { model, messages: _messages, ...params } = ask.body;
    const request: CacheRequest = { namespace: controls.namespace, model, messages: messages.data, params };
    const policy = this.cache.policy(controls.namespace);
    const verdict = cacheability(policy.temperaturePolicy, params);
    if (!verdict.cacheable) return { kind: 'bypass', reason: verdict.reason };
    return { kind: 'cacheable', request, policy, fp: this.cache.fingerprint(ask.caller.tenant, request, policy) };
  }

  private graceMs(policy: NamespacePolicy): number {
    return (this.graceByNamespace[policy.name] ?? this.graceByNamespace['*'] ?? 0) * 1000;
  }

  /** The entry's lifetime when stored: the requested or namespace TTL plus the stale-while-revalidate grace. */
  private ttlSeconds(ask: Ask, keyed: Cacheable): number {
    return (ask.controls.ttlSeconds ?? keyed.policy.defaultTtlSeconds) + this.graceMs(keyed.policy) / 1000;
  }

  /** Answers from a hit, unless it is older than `max-age` or not a chat answer (then the request goes upstream). */
  private fromHit(ask: Ask, keyed: Cacheable, outcome: Extract<LookupOutcome, { status: 'hit' }>): { reply?: ProxyReply; fwd: 'miss' | 'stale' } {
    const { entry, now } = outcome;
    const grace = this.graceMs(keyed.policy);
    const freshUntil = entry.expiresAt - grace;
    const stale = grace > 0 && now >= freshUntil;
    const age = ageSeconds(entry, now);
    if (ask.controls.maxAgeSeconds !== undefined && (stale || age > ask.controls.maxAgeSeconds)) return { fwd: 'stale' };
    const payload = ask.stream ? this.rendered.sse(entry.response, ask.includeUsage) : this.rendered.json(entry.response);
    if (payload === undefined) return { fwd: 'miss' };

    if (stale) {
      // Other replicas' L1 copies expire on their own; this one steps aside so the refresh (in L2) is read next.
      if (outcome.tier === 'l1') this.cache.dropFromL1(ask.caller.tenant, keyed.fp.exactKey);
      this.revalidate(ask, keyed, entry);
    }
    this.savings.recordHit(keyed.request.model, entry.response);
    this.metrics.proxyRequests.inc({ endpoint: 'chat', cache: stale ? 'stale' : 'hit' });
    const report: CacheReport = {
      status: stale ? 'STALE' : 'HIT',
      tier: outcome.tier,
      entryId: entry.aliasOf ?? entry.id,
      ageSeconds: age,
      // Whole seconds of freshness left; a stale entry reports at least -1.
      ttlSeconds: stale ? Math.floor((freshUntil - now) / 1000) : Math.ceil((freshUntil - now) / 1000),
      similarity: outcome.similarity,
    };
    const headers = cacheHeaders(report);
    if (ask.stream) return { fwd: 'miss', reply: { kind: 'sse', status: 200, headers: { 'content-type': SSE_CONTENT_TYPE, ...headers }, source: staticFrames(payload) } };
    return { fwd: 'miss', reply: { kind: 'json', status: 200, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body: payload } };
  }

  private target(ask: Ask): UpstreamTarget {
    const target = this.router.route(ask.body.model);
    if (!target) throw new StrataError(ErrorCode.UpstreamError, `no upstream is configured for model "${ask.body.model}": set UPSTREAM_URL or upstream.routes`);
    return target;
  }

  /**
   * Requests coalesce when they are the same request, for the same upstream credentials, and were looked
   * up in the same purge generation: a request arriving after an invalidation never joins a call made
   * before it.
   */
  private flightKey(ask: Ask, keyed: Cacheable, target: UpstreamTarget, ticket: number | undefined): string {
    return `${keyed.fp.exactKey}:${credentialDigest(target, ask.caller.credentials)}:${ticket ?? '-'}`;
  }

  /**
   * A miss: join the identical call in flight, or make it (and store its answer once it is complete).
   * `ticket`: the missed lookup's purge ticket; the store carries it, so an invalidation that lands while
   * the upstream answers makes the store stale instead of resurrecting old data.
   */
  private async forward(ask: Ask, keyed: Cacheable, fwd: 'miss' | 'request' | 'stale', ticket: number | undefined, connection: ClientConnection): Promise<ProxyReply> {
    // No lookup answered (forced refresh, max-age refetch, a slow cache service): take a ticket now.
    ticket ??= await this.cache.ticket(ask.caller.tenant);
    const target = this.target(ask);
    const participation = this.flights.join(this.flightKey(ask, keyed, target, ticket), (control) => this.launch(ask, keyed, target, ticket, control));
    const flight = participation.flight;
    flight.intent.merge(!ask.controls.noStore, ask.controls.tags, this.ttlSeconds(ask, keyed));
    connection.onClose(() => participation.leave());
    this.metrics.proxyRequests.inc({ endpoint: 'chat', cache: 'miss' });
    const entryId = entryIdFromKey(keyed.fp.exactKey);
    return this.reply(flight, ask, (fwdStatus, stored) => cacheHeaders({ status: 'MISS', fwd, fwdStatus, stored, collapsed: !participation.leader, entryId }));
  }

  /** Starts the upstream call of a flight; once its answer is complete, queues the store (then releases the flight). */
  private launch(ask: Ask, keyed: Cacheable, target: UpstreamTarget, ticket: number | undefined, control: FlightControl): ChatFlight {
    const flight = new ChatFlight(this.upstream, { target, body: this.upstreamBody(ask), stream: ask.stream, credentials: ask.caller.credentials, storable: true }, control).start();
    void flight.answer.then((answer) => {
      // Without a ticket (the cache service did not answer) a purge during the call could not be detected.
      if (answer === undefined || !flight.intent.allowed || ticket === undefined) {
        control.release();
        return;
      }
      this.stores.enqueue({
        run: async () => {
          await this.cache.store(ask.caller.tenant, keyed.request, answer, {
            tags: [...flight.intent.tags],
            ttlSeconds: flight.intent.ttlSeconds,
            fingerprint: keyed.fp,
            storedAt: flight.startedAt,
            ticket,
          });
        },
        settle: () => control.release(),
      });
    });
    return flight;
  }

  /** Streams are asked for their usage chunk (when configured) so that hits can count the tokens they save. */
  private upstreamBody(ask: Ask): string {
    if (!ask.stream || ask.includeUsage || !this.streamUsage) return JSON.stringify(ask.raw);
    const options = ask.raw['stream_options'];
    return JSON.stringify({ ...ask.raw, stream_options: { ...(options && typeof options === 'object' ? options : {}), include_usage: true } });
  }

  /**
   * Stale-while-revalidate: refresh a stale entry in the background, once (joining a refresh already in
   * flight). The refresh keeps the entry's tags, so purges still find it.
   */
  private revalidate(ask: Ask, keyed: Cacheable, stale: CacheEntry): void {
    const target = this.router.route(ask.body.model);
    if (!target) return;
    const refreshKey = this.flightKey(ask, keyed, target, undefined);
    if (this.recentRefreshes.has(refreshKey)) return;
    this.recentRefreshes.set(refreshKey, true);
    const tags = [...new Set([...stale.tags.filter((t) => !t.startsWith(RESERVED_TAG_PREFIX)), ...ask.controls.tags])];
    // The refresh's store carries a ticket taken before the upstream call, like any store after a miss.
    void this.cache.ticket(ask.caller.tenant).then((ticket) => {
      const key = this.flightKey(ask, keyed, target, ticket);
      if (this.flights.has(key)) return;
      const participation = this.flights.join(key, (control) => this.launch(ask, keyed, target, ticket, control));
      participation.flight.intent.merge(true, tags, this.ttlSeconds(ask, keyed));
      void participation.flight.answer.then(() => participation.leave());
    });
  }

  /** A request the cache must not answer nor store: passed through on its own. */
  private bypass(ask: Ask, reason: string, connection: ClientConnection): Promise<ProxyReply> {
    const target = this.target(ask);
    const participation = this.flights.solo(
      (control) => new ChatFlight(this.upstream, { target, body: JSON.stringify(ask.raw), stream: ask.stream, credentials: ask.caller.credentials, storable: false }, control).start(),
    );
    connection.onClose(() => participation.leave());
    this.metrics.proxyRequests.inc({ endpoint: 'chat', cache: 'bypass' });
    return this.reply(participation.flight, ask, (fwdStatus) => cacheHeaders({ status: 'BYPASS', reason, fwdStatus }));
  }

  /** The reply to one request on a flight, in the form it asked for. */
  private async reply(flight: ChatFlight, ask: Ask, cacheStatus: MissHeaders): Promise<ProxyReply> {
    const head = await flight.head;
    if (head.kind === 'failed') {
      const status = head.error.status;
      return { kind: 'json', status, headers: { 'content-type': JSON_CONTENT_TYPE, ...cacheStatus(undefined, false) }, body: errorBody(status, head.error.code, head.error.message) };
    }
    if (head.kind === 'json') {
      const answer = head.status < 300 ? await flight.answer : undefined;
      const headers = { ...head.headers, ...cacheStatus(head.status, answer !== undefined && flight.intent.allowed) };
      const chunks = ask.stream && answer !== undefined ? chunksOf(answer) : undefined;
      if (chunks) return { kind: 'sse', status: 200, headers: { ...headers, 'content-type': SSE_CONTENT_TYPE }, source: staticFrames(renderSse(chunks, ask.includeUsage)) };
      return { kind: 'json', status: head.status, headers, body: head.body };
    }
    if (ask.stream) {
      return { kind: 'sse', status: head.status, headers: { ...head.headers, ...cacheStatus(head.status, flight.intent.allowed) }, source: liveFrames(head.stream, ask.includeUsage) };
    }
    // A non-streaming request on a streamed flight: the assembled completion once the stream is complete.
    const answer = await flight.answer;
    const completion = answer === undefined ? undefined : completionOf(answer);
    if (!completion) {
      return {
        kind: 'json',
        status: 502,
        headers: { 'content-type': JSON_CONTENT_TYPE, ...cacheStatus(head.status, false) },
        body: errorBody(502, ErrorCode.UpstreamError, 'the upstream stream ended before it was complete'),
      };
    }
    return { kind: 'json', status: 200, headers: { ...head.headers, 'content-type': JSON_CONTENT_TYPE, ...cacheStatus(head.status, flight.intent.allowed) }, body: JSON.stringify(completion) };
  }
}
