import { type IncomingHttpHeaders } from 'node:http';
import {
  type CacheEntry,
  DEFAULT_NAMESPACE,
  type NamespacePolicy,
  RESERVED_TAG_PREFIX,
  type RequestFingerprint,
  ageSeconds,
  cacheability,
  entryIdFromKey,
  fingerprintRequest,
} from '@strata/cache-core';
import { type StrataConfig } from '@strata/config';
import { ErrorCode, type JsonValue, type RequestContext, StrataError } from '@strata/contracts';
import { StrataMetrics, boundCounter } from '@strata/observability';
import { LRUCache } from 'lru-cache';
import { type CacheRequest, type GatewayCache, type LookupOutcome } from '../cache-api/gateway-cache';
import { enforceLimits } from '../http/request-limits';
import { type FlightControl, RequestCoalescer } from '../openai/coalescing/request-coalescer';
import { type ProxyControls } from '../openai/controls/proxy-controls';
import { type ClientConnection } from '../openai/http/client-connection';
import { type CacheReport, cacheHeaders } from '../openai/http/cache-headers';
import { type Caller } from '../openai/http/proxy-access';
import {
  JSON_CONTENT_TYPE,
  type ProxyReply,
  SSE_CONTENT_TYPE,
  liveFrames,
  staticFrames,
} from '../openai/http/proxy-reply';
import { type ProxyStoreQueue } from '../openai/store/proxy-store-queue';
import { type UpstreamClient, credentialDigest } from '../openai/upstream/upstream-client';
import { type UpstreamTarget } from '../openai/upstream/upstream-router';
import { type SavingsRecorder } from './cost/savings-recorder';
import { type ShadowAudits } from './shadow/shadow-audits';
import { shadowCall } from './shadow/shadow-call';
import { type PrefixDiagnostics, stablePrefix } from './prompt-cache/prefix-diagnostics';
import { RenderedAnswers } from './rendered-answers';
import { requestUser } from './request-user';
import { UpstreamFlight } from './upstream-flight';
import { type CacheInput, type ParsedRequest, type WireFormat } from './wire-format';
import { type ReplayCapture } from '../http/replay/replay-capture';

/** A refreshed stale entry is not refreshed again for this long (even if the refresh failed). */
const REFRESH_BACKOFF_MS = 10_000;

interface ProxyInput {
  readonly caller: Caller;
  /** The request body as the client sent it (parsed JSON). */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  readonly controls: ProxyControls;
  /** Where an L1 hit is recorded for the gateway's front door to replay (`HitReplays`), when it asked. */
  readonly capture?: ReplayCapture | undefined;
  /** The HTTP request being answered (none for a warm-up replay): its id goes with the cache calls it makes. */
  readonly context?: RequestContext | undefined;
}

/** What the orchestration needs around it; one set per gateway, shared by every API's proxy. */
interface ProxyDependencies {
  readonly config: StrataConfig;
  readonly cache: GatewayCache;
  readonly upstream: UpstreamClient;
  readonly stores: ProxyStoreQueue;
  readonly savings: SavingsRecorder;
  readonly prefixes: PrefixDiagnostics;
  /** Shadow audits of served semantic hits (namespaces with `verification.audit: shadow`). */
  readonly shadow: ShadowAudits;
}

interface Ask {
  readonly caller: Caller;
  readonly request: ParsedRequest;
  readonly controls: ProxyControls;
  /** Picks the replica of a replicated upstream: the stable-prefix hash (prefix affinity), or a random key without one. */
  readonly routingKey: string;
  /** The end user, for user-scoped namespaces (see `requestUser`). */
  readonly user: string | undefined;
  readonly capture: ReplayCapture | undefined;
  readonly context: RequestContext;
}

type Keyed =
  | { readonly kind: 'bypass'; readonly reason: string }
  | {
      readonly kind: 'cacheable';
      readonly request: CacheRequest;
      readonly policy: NamespacePolicy;
      readonly fp: RequestFingerprint;
    };
type Cacheable = Extract<Keyed, { kind: 'cacheable' }>;

type MissHeaders = (fwdStatus: number | undefined, stored: boolean) => Record<string, string>;

/**
 * Whether a request asks for its flight's answer to be stored. Without a ticket (the cache service did not answer)
 * nothing is stored, since a purge during the call could not be detected: such a request does not ask to store, and
 * a request that joins its flight (a background refresh's, say) is not told `stored`.
 */
function asksToStore(noStore: boolean, ticket: number | undefined): boolean {
  return !noStore && ticket !== undefined;
}

/** An upstream call's target and the key its identical requests join it by. */
interface UpstreamCall {
  readonly target: UpstreamTarget;
  readonly key: string;
}

/**
 * The caching proxy in front of an LLM API, the same for every API; the wire format supplies what
 * differs (`WireFormat`).
 *
 * Cacheable requests are looked up (L1, then the cache service); a hit is answered in the form asked
 * for (a stream record can answer a non-streaming request and the other way round). A miss joins the
 * identical upstream call in flight or starts one; the upstream's answer goes to every request on it
 * unchanged (streams event by event as they arrive) and is then stored through the store queue, never
 * delaying a response. Requests the cache must not answer (temperature policy, `n > 1`, mode off) are
 * passed through alone and never stored. Every upstream answer's usage is accounted.
 */
export class CachedProxy {
  private readonly metrics = StrataMetrics.shared();
  private readonly flights = new RequestCoalescer<UpstreamFlight>(() => this.metrics.proxyCoalesced.inc());
  private readonly recentRefreshes = new LRUCache<string, true>({ max: 10_000, ttl: REFRESH_BACKOFF_MS });
  private readonly graceByNamespace: Readonly<Record<string, number>>;
  private readonly hedgeByNamespace: Readonly<Record<string, number>>;
  private readonly rendered: RenderedAnswers;
  /** `strata_proxy_requests_total` of this endpoint, bound once per cache status (`boundCounter`). */
  private readonly counted: Readonly<Record<'hit' | 'stale' | 'miss' | 'bypass', { inc(): void }>>;
  /** `strata_proxy_hedges_total` by what answered a hedged miss. */
  private readonly hedges: Readonly<Record<'hit' | 'upstream', { inc(): void }>>;

  constructor(
    private readonly format: WireFormat,
    /** The upstream for a model; undefined when none is configured for it. */
    private readonly route: (model: string) => UpstreamTarget | undefined,
    private readonly deps: ProxyDependencies,
  ) {
    this.graceByNamespace = deps.config.upstream.staleWhileRevalidateSeconds;
    this.hedgeByNamespace = deps.config.upstream.hedgeAfterMs;
    this.rendered = new RenderedAnswers(format);
    const requests = this.metrics.proxyRequests;
    this.counted = {
      hit: boundCounter(requests, { endpoint: format.endpoint, cache: 'hit' }),
      stale: boundCounter(requests, { endpoint: format.endpoint, cache: 'stale' }),
      miss: boundCounter(requests, { endpoint: format.endpoint, cache: 'miss' }),
      bypass: boundCounter(requests, { endpoint: format.endpoint, cache: 'bypass' }),
    };
    this.hedges = {
      hit: boundCounter(this.metrics.proxyHedges, { outcome: 'hit' }),
      upstream: boundCounter(this.metrics.proxyHedges, { outcome: 'upstream' }),
    };
  }

  async handle(input: ProxyInput, connection: ClientConnection): Promise<ProxyReply> {
    const request = this.format.parse(input.body, input.headers);
    const cacheInput = this.format.cacheInput(request);
    const prefix =
      cacheInput.kind === 'keyed' ? stablePrefix(request.model, cacheInput.messages, cacheInput.params) : undefined;
    const namespace = input.controls.namespace ?? DEFAULT_NAMESPACE;
    const prefixHash = this.deps.prefixes.observe(input.caller.tenant, namespace, prefix);
    input.capture?.effect(() => this.deps.prefixes.observe(input.caller.tenant, namespace, prefix));
    const routingKey = prefixHash ?? `random:${Math.random()}`;
    const user = requestUser(this.format.api, request.raw, input.headers);
    const ask: Ask = {
      caller: input.caller,
      request,
      controls: input.controls,
      routingKey,
      user,
      capture: input.capture,
      context: input.context ?? {},
    };
    const reply = await this.answer(ask, cacheInput, connection);
    return prefixHash === undefined
      ? reply
      : { ...reply, headers: { ...reply.headers, 'x-strata-prefix-hash': prefixHash } };
  }

  private async answer(ask: Ask, cacheInput: CacheInput, connection: ClientConnection): Promise<ProxyReply> {
    const keyed = this.key(ask, cacheInput);
    if (keyed.kind === 'bypass') return this.bypass(ask, keyed.reason, connection);

    if (ask.controls.noCache) return this.forward(ask, keyed, 'request', undefined, connection);
    const lookup = this.deps.cache.lookup(
      ask.caller.tenant,
      keyed.request,
      ask.controls.mode === 'exact' ? 'exact' : 'auto',
      ask.controls.threshold,
      { fingerprint: keyed.fp, context: ask.context },
    );
    const hedgeMs = this.hedgeByNamespace[keyed.policy.name] ?? this.hedgeByNamespace['*'];
    const outcome = hedgeMs === undefined ? await lookup : await within(lookup, hedgeMs);
    return outcome === undefined
      ? this.hedged(ask, keyed, lookup, connection)
      : this.answerWith(ask, keyed, outcome, connection);
  }

  /** The reply once the lookup has answered: its hit, or the upstream's (a miss, or a hit this request may not use). */
  private answerWith(
    ask: Ask,
    keyed: Cacheable,
    outcome: LookupOutcome,
    connection: ClientConnection,
  ): Promise<ProxyReply> {
    if (outcome.status === 'bypass') return this.bypass(ask, outcome.reason, connection);
    if (outcome.status === 'miss')
      return this.forward(ask, keyed, 'miss', outcome.ticket, connection, outcome.semanticBusy === true);
    const served = this.fromHit(ask, keyed, outcome);
    return served.reply ? Promise.resolve(served.reply) : this.forward(ask, keyed, served.fwd, undefined, connection);
  }

  /** Whether the cache may answer this request, and its key when it may (computed on the client's request, before any injection). */
  private key(ask: Ask, input: CacheInput): Keyed {
    const { controls } = ask;
    if (controls.mode === 'off') return { kind: 'bypass', reason: 'mode-off' };
    const limits = this.deps.config.limits;
    enforceLimits(limits, { tags: [...controls.tags] });
    if (input.kind === 'bypass') return input;
    try {
      enforceLimits(limits, { messages: input.messages });
    } catch (error) {
      // Over the cache's limits is not an error for the upstream: such requests are passed through.
      if (error instanceof StrataError && error.code === ErrorCode.PayloadTooLarge)
        return { kind: 'bypass', reason: 'too-large' };
      throw error;
    }
    const request: CacheRequest = {
      namespace: controls.namespace,
      model: ask.request.model,
      messages: input.messages,
      params: input.params,
      user: ask.user,
    };
    const policy = this.deps.cache.policy(controls.namespace);
    const verdict = cacheability(policy.temperaturePolicy, input.params);
    if (!verdict.cacheable) return { kind: 'bypass', reason: verdict.reason };
    const scopeBypass = this.deps.cache.scopeBypass(policy, ask.user);
    if (scopeBypass !== undefined) return { kind: 'bypass', reason: scopeBypass };
    const fp = fingerprintRequest({
      api: this.format.api,
      user: this.deps.cache.userKey(ask.caller.tenant, policy, ask.user),
      tenant: ask.caller.tenant,
      namespace: policy.name,
      namespaceVersion: policy.version,
      model: request.model,
      messages: input.messages,
      params: input.params,
    });
    return { kind: 'cacheable', request, policy, fp };
  }

  private graceMs(policy: NamespacePolicy): number {
    return (this.graceByNamespace[policy.name] ?? this.graceByNamespace['*'] ?? 0) * 1000;
  }

  /** The entry's lifetime when stored: the requested or namespace TTL plus the stale-while-revalidate grace. */
  private ttlSeconds(ask: Ask, keyed: Cacheable): number {
    return (ask.controls.ttlSeconds ?? keyed.policy.defaultTtlSeconds) + this.graceMs(keyed.policy) / 1000;
  }

  /** Answers from a hit, unless it is older than `max-age` or not this API's answer (then the request goes upstream). */
  private fromHit(
    ask: Ask,
    keyed: Cacheable,
    outcome: Extract<LookupOutcome, { status: 'hit' }>,
    hedged = false,
  ): { reply?: ProxyReply; fwd: 'miss' | 'stale' } {
    const { entry, now } = outcome;
    const grace = this.graceMs(keyed.policy);
    const freshUntil = entry.expiresAt - grace;
    const stale = grace > 0 && now >= freshUntil;
    const age = ageSeconds(entry, now);
    if (ask.controls.maxAgeSeconds !== undefined && (stale || age > ask.controls.maxAgeSeconds))
      return { fwd: 'stale' };
    const payload = ask.request.stream
      ? this.rendered.sse(entry.response, ask.request.includeUsage)
      : this.rendered.json(entry.response);
    if (payload === undefined) return { fwd: 'miss' };

    if (stale) {
      // Other replicas' L1 copies expire on their own; this one steps aside so the refresh (in L2) is read next.
      if (outcome.tier === 'l1') this.deps.cache.dropFromL1(ask.caller.tenant, keyed.fp.exactKey);
      this.revalidate(ask, keyed, entry);
    }
    this.deps.savings.recordHit(keyed.request.model, ask.caller.tenant, this.format.usage(entry.response));
    this.counted[stale ? 'stale' : 'hit'].inc();
    if (ask.capture !== undefined) this.captureHit(ask.capture, ask, keyed, outcome, age, stale);
    if (outcome.tier === 'l3' && keyed.policy.verification?.audit === 'shadow' && !outcome.verified)
      this.shadowAudit(ask, keyed, outcome);
    const report: CacheReport = {
      status: stale ? 'STALE' : 'HIT',
      tier: outcome.tier,
      entryId: entry.aliasOf ?? entry.id,
      ageSeconds: age,
      // Whole seconds of freshness left; a stale entry reports at least -1.
      ttlSeconds: stale ? Math.floor((freshUntil - now) / 1000) : Math.ceil((freshUntil - now) / 1000),
      similarity: outcome.similarity,
      verified: outcome.verified,
      hedged,
    };
    const headers = cacheHeaders(report);
    if (ask.request.stream)
      return {
        fwd: 'miss',
        reply: {
          kind: 'sse',
          status: 200,
          headers: { 'content-type': SSE_CONTENT_TYPE, ...headers },
          source: staticFrames(payload),
        },
      };
    return {
      fwd: 'miss',
      reply: { kind: 'json', status: 200, headers: { 'content-type': JSON_CONTENT_TYPE, ...headers }, body: payload },
    };
  }

  /**
   * Records a fresh L1 hit for the front door to replay: the lookup's effects, this proxy's (savings, the request
   * counter), and the age and freshness the reply's headers were rendered with. Anything else is not replayed.
   */
  private captureHit(
    capture: ReplayCapture,
    ask: Ask,
    keyed: Cacheable,
    outcome: Extract<LookupOutcome, { status: 'hit' }>,
    age: number,
    stale: boolean,
  ): void {
    const { entry } = outcome;
    if (outcome.tier !== 'l1' || stale) {
      capture.veto();
      return;
    }
    const tenant = ask.caller.tenant;
    const model = keyed.request.model;
    const hit = { tenant, namespace: keyed.policy.name, model, entry };
    const usage = this.format.usage(entry.response);
    const freshUntil = entry.expiresAt - this.graceMs(keyed.policy);
    const ttl = Math.ceil((freshUntil - outcome.now) / 1000);
    capture.answeredFromL1(tenant, keyed.fp.exactKey, entry);
    capture.effect((now, requestId, seconds) => {
      this.deps.cache.recordL1Hit(hit, now, requestId, seconds);
      this.deps.savings.recordHit(model, tenant, usage);
      this.counted.hit.inc();
    });
    capture.renderedWhile(
      (now) => now < freshUntil && ageSeconds(entry, now) === age && Math.ceil((freshUntil - now) / 1000) === ttl,
    );
  }

  /**
   * A semantic hit (L3, not judge-verified) of a namespace audited by shadow calls: offered for sampling. Nothing is
   * done here beyond the offer; the call, if sampled, runs in the background after the reply.
   */
  private shadowAudit(ask: Ask, keyed: Cacheable, outcome: Extract<LookupOutcome, { status: 'hit' }>): void {
    const target = this.route(ask.request.model);
    const verification = keyed.policy.verification;
    if (!target || outcome.similarity === undefined || verification === undefined) return;
    const { entry } = outcome;
    const tenant = ask.caller.tenant;
    const model = ask.request.model;
    this.deps.shadow.served({
      tenant,
      namespace: keyed.policy.name,
      exactKey: keyed.fp.exactKey,
      entryId: entry.aliasOf ?? entry.id,
      similarity: outcome.similarity,
      auditShare: verification.auditShare ?? 0,
      maxWrongHitRate: verification.maxWrongHitRate,
      keySent: credentialDigest(target, ask.caller.credentials) !== 'none',
      cached: () => {
        const json = this.format.renderJson(entry.response);
        return json === undefined ? undefined : (JSON.parse(json) as JsonValue);
      },
      fresh: () =>
        shadowCall(this.deps.upstream, {
          format: this.format,
          target,
          request: ask.request,
          body: { streamUsage: false, tenant, namespace: keyed.policy.name },
          credentials: ask.caller.credentials,
          usage: (usage) => this.deps.savings.recordUpstream(model, tenant, usage),
        }),
    });
  }

  private target(ask: Ask): UpstreamTarget {
    const target = this.route(ask.request.model);
    if (!target)
      throw new StrataError(
        ErrorCode.UpstreamError,
        `no upstream is configured for model "${ask.request.model}": set UPSTREAM_URL or upstream.routes`,
      );
    return target;
  }

  /**
   * Requests coalesce when they are the same request, for the same upstream credentials, and were looked
   * up in the same purge generation: a request arriving after an invalidation never joins a call made
   * before it. (The exact key already holds the API, tenant and every output-changing header.)
   */
  /** Where this request's upstream call goes and the key identical calls share (computed once per miss). */
  private callOf(ask: Ask, keyed: Cacheable, ticket: number | undefined): UpstreamCall {
    const target = this.target(ask);
    return { target, key: this.flightKey(ask, keyed, target, ticket) };
  }

  private flightKey(ask: Ask, keyed: Cacheable, target: UpstreamTarget, ticket: number | undefined): string {
    return `${keyed.fp.exactKey}:${credentialDigest(target, ask.caller.credentials)}:${ticket ?? '-'}`;
  }

  /**
   * A miss: join the identical call in flight, or make it (and store its answer once it is complete).
   * `ticket`: the missed lookup's purge ticket; the store carries it, so an invalidation that lands while
   * the upstream answers makes the store stale instead of resurrecting old data.
   */
  private async forward(
    ask: Ask,
    keyed: Cacheable,
    fwd: 'miss' | 'request' | 'stale',
    ticket: number | undefined,
    connection: ClientConnection,
    semanticBusy = false,
  ): Promise<ProxyReply> {
    // No lookup answered (forced refresh, max-age refetch, a slow cache service): take a ticket now.
    ticket ??= await this.deps.cache.ticket(ask.caller.tenant, ask.context);
    const call = this.callOf(ask, keyed, ticket);
    if (fwd === 'miss' && !this.flights.has(call.key)) {
      const landed = this.landedMeanwhile(ask, keyed);
      if (landed !== undefined) return landed;
    }
    const miss = this.fly(ask, keyed, fwd, ticket, connection, { semanticBusy }, call);
    this.counted.miss.inc();
    return miss.reply;
  }

  /**
   * The answer of an identical request that was stored while this request's lookup was on its way: its call ended
   * (answer stored, L1 filled, flight released) between this request's L1 check and its joining the flight. Served as
   * the L1 hit it now is, instead of a second upstream call. Asked only when no identical call is in flight (the
   * request joins one that is); undefined when L1 holds nothing for the key.
   */
  private landedMeanwhile(ask: Ask, keyed: Cacheable): ProxyReply | undefined {
    const entry = this.deps.cache.l1Entry(ask.caller.tenant, keyed.fp.exactKey);
    if (entry === undefined) return undefined;
    const now = Date.now();
    const served = this.fromHit(ask, keyed, { status: 'hit', tier: 'l1', entry, now });
    if (served.reply === undefined) return undefined;
    const hit = { tenant: ask.caller.tenant, namespace: keyed.policy.name, model: keyed.request.model, entry };
    this.deps.cache.recordL1Hit(hit, now, ask.context.requestId, 0);
    return served.reply;
  }

  /**
   * Joins the identical upstream call in flight or starts one: this request's reply from it, and how to leave it.
   * `detail`: what the miss headers add about how the call came about (hedged, or its semantic lookup shed).
   */
  private fly(
    ask: Ask,
    keyed: Cacheable,
    fwd: 'miss' | 'request' | 'stale',
    ticket: number | undefined,
    connection: ClientConnection,
    detail: { readonly hedged?: boolean; readonly semanticBusy?: boolean },
    { target, key }: UpstreamCall,
  ): { readonly reply: Promise<ProxyReply>; leave(): void } {
    const participation = this.flights.join(key, (control) => this.launch(ask, keyed, target, ticket, control));
    const flight = participation.flight;
    flight.intent.merge(asksToStore(ask.controls.noStore, ticket), ask.controls.tags, this.ttlSeconds(ask, keyed));
    connection.onClose(() => participation.leave());
    const entryId = entryIdFromKey(keyed.fp.exactKey);
    const reply = this.reply(flight, ask, (fwdStatus, stored) =>
      cacheHeaders({ status: 'MISS', fwd, fwdStatus, stored, collapsed: !participation.leader, entryId, ...detail }),
    );
    return { reply, leave: () => participation.leave() };
  }

  /**
   * A hedged miss: the cache has not answered within the namespace's `upstream.hedgeAfterMs`, so the upstream call
   * starts now, beside the lookup. A hit that arrives before the upstream's answer is served, and this request leaves
   * the call (abandoned unless an identical request shares it); otherwise the upstream's answer is served and stored
   * as after any miss. An upstream failure (an error, 429 or 5xx) waits for the lookup, so it never hides a hit.
   */
  private async hedged(
    ask: Ask,
    keyed: Cacheable,
    lookup: Promise<LookupOutcome>,
    connection: ClientConnection,
  ): Promise<ProxyReply> {
    let early: LookupOutcome | undefined;
    const cached = lookup.then(
      (outcome): FromCache => ({ from: 'cache', outcome: (early = outcome) }),
      (): FromCache => ({ from: 'cache', outcome: (early = { status: 'miss' }) }),
    );
    // Taken before the call starts, as a missed lookup's ticket would be: a purge during the call voids the store.
    const ticket = await this.deps.cache.ticket(ask.caller.tenant, ask.context);
    // The lookup answered while the ticket was taken: no call to hedge.
    if (early !== undefined) return this.answerWith(ask, keyed, early, connection);
    const miss = this.fly(ask, keyed, 'miss', ticket, connection, { hedged: true }, this.callOf(ask, keyed, ticket));
    const upstream = miss.reply.then(
      (reply): FromUpstream => ({ from: 'upstream', reply }),
      (error: unknown): FromUpstream => ({ from: 'upstream', error }),
    );
    let first: FromUpstream | FromCache = await Promise.race([upstream, cached]);
    if (first.from === 'upstream' && failed(first)) first = await cached;
    if (first.from === 'cache' && first.outcome.status === 'hit') {
      const served = this.fromHit(ask, keyed, first.outcome, true);
      if (served.reply) {
        miss.leave();
        this.hedges.hit.inc();
        return served.reply;
      }
    }
    // A miss, or a hit this request may not use (older than its max-age): the upstream's answer, as after any miss.
    const answered = first.from === 'upstream' ? first : await upstream;
    this.hedges.upstream.inc();
    this.counted.miss.inc();
    if (answered.reply === undefined) throw answered.error;
    return answered.reply;
  }

  private startFlight(ask: Ask, target: UpstreamTarget, storable: boolean, control: FlightControl): UpstreamFlight {
    const body = this.format.upstreamBody(ask.request, {
      streamUsage: this.deps.config.upstream.streamUsage,
      tenant: ask.caller.tenant,
      namespace: ask.controls.namespace ?? 'default',
    });
    const flight = new UpstreamFlight(
      this.deps.upstream,
      {
        format: this.format,
        target,
        body,
        stream: ask.request.stream,
        credentials: ask.caller.credentials,
        headers: ask.request.forwardHeaders,
        routingKey: ask.routingKey,
        storable,
        requestId: ask.context.requestId,
      },
      control,
    ).start();
    const model = ask.request.model;
    void flight.usage.then((usage) => usage && this.deps.savings.recordUpstream(model, ask.caller.tenant, usage));
    return flight;
  }

  /** Starts the upstream call of a flight; once its answer is complete, queues the store (then releases the flight). */
  private launch(
    ask: Ask,
    keyed: Cacheable,
    target: UpstreamTarget,
    ticket: number | undefined,
    control: FlightControl,
  ): UpstreamFlight {
    const flight = this.startFlight(ask, target, true, control);
    void flight.answer.then((answer) => {
      // The whole answer's time is what a later hit on this namespace and model avoids.
      if (answer !== undefined)
        this.deps.cache.latency.recordUpstream(
          ask.caller.tenant,
          keyed.policy.name,
          keyed.request.model,
          (Date.now() - flight.startedAt) / 1000,
        );
      // Without a ticket (the cache service did not answer) a purge during the call could not be detected.
      if (answer === undefined || !flight.intent.allowed || ticket === undefined) {
        control.release();
        return;
      }
      this.deps.stores.enqueue({
        run: async () => {
          await this.deps.cache.store(
            ask.caller.tenant,
            keyed.request,
            answer,
            {
              tags: [...flight.intent.tags],
              ttlSeconds: flight.intent.ttlSeconds,
              fingerprint: keyed.fp,
              storedAt: flight.startedAt,
              ticket,
              replay: { api: this.format.api, body: ask.request.raw, headers: ask.request.forwardHeaders },
              // The store's slot frees once L2 holds the answer; the encoder's backlog delays only its L3 copy.
              semantic: 'background',
            },
            ask.context,
          );
        },
        settle: () => control.release(),
      });
    });
    return flight;
  }

  /**
   * Stale-while-revalidate: refresh a stale entry in the background, once (joining a refresh already in
   * flight). The refresh keeps the entry's tags, so purges still find it.
   */
  private revalidate(ask: Ask, keyed: Cacheable, stale: CacheEntry): void {
    const target = this.route(ask.request.model);
    if (!target) return;
    const refreshKey = this.flightKey(ask, keyed, target, undefined);
    if (this.recentRefreshes.has(refreshKey)) return;
    this.recentRefreshes.set(refreshKey, true);
    const tags = [...new Set([...stale.tags.filter((t) => !t.startsWith(RESERVED_TAG_PREFIX)), ...ask.controls.tags])];
    // The refresh's store carries a ticket taken before the upstream call, like any store after a miss.
    void this.deps.cache.ticket(ask.caller.tenant, ask.context).then((ticket) => {
      const key = this.flightKey(ask, keyed, target, ticket);
      if (this.flights.has(key)) return;
      const participation = this.flights.join(key, (control) => this.launch(ask, keyed, target, ticket, control));
      participation.flight.intent.merge(asksToStore(false, ticket), tags, this.ttlSeconds(ask, keyed));
      void participation.flight.answer.then(() => participation.leave());
    });
  }

  /** A request the cache must not answer nor store: passed through on its own. */
  private bypass(ask: Ask, reason: string, connection: ClientConnection): Promise<ProxyReply> {
    const target = this.target(ask);
    const participation = this.flights.solo((control) => this.startFlight(ask, target, false, control));
    connection.onClose(() => participation.leave());
    this.counted.bypass.inc();
    return this.reply(participation.flight, ask, (fwdStatus) => cacheHeaders({ status: 'BYPASS', reason, fwdStatus }));
  }

  /** The reply to one request on a flight, in the form it asked for. */
  private async reply(flight: UpstreamFlight, ask: Ask, cacheStatus: MissHeaders): Promise<ProxyReply> {
    const { stream, includeUsage } = ask.request;
    const head = await flight.head;
    if (head.kind === 'failed') {
      const status = head.error.status;
      return {
        kind: 'json',
        status,
        headers: { 'content-type': JSON_CONTENT_TYPE, ...cacheStatus(undefined, false) },
        body: this.format.errorBody(status, head.error.code, head.error.message),
      };
    }
    if (head.kind === 'json') {
      const answer = head.status < 300 ? await flight.answer : undefined;
      const headers = { ...head.headers, ...cacheStatus(head.status, answer !== undefined && flight.intent.allowed) };
      const sse = stream && answer !== undefined ? this.format.renderSse(answer, includeUsage) : undefined;
      if (sse !== undefined)
        return {
          kind: 'sse',
          status: 200,
          headers: { ...headers, 'content-type': SSE_CONTENT_TYPE },
          source: staticFrames(sse),
        };
      return { kind: 'json', status: head.status, headers, body: head.body };
    }
    if (stream) {
      return {
        kind: 'sse',
        status: head.status,
        headers: { ...head.headers, ...cacheStatus(head.status, flight.intent.allowed) },
        source: liveFrames(head.stream, includeUsage, this.format.doneFrame),
      };
    }
    // A non-streaming request on a streamed flight: the assembled answer once the stream is complete.
    const answer = await flight.record;
    const json = answer === undefined ? undefined : this.format.renderJson(answer);
    if (json === undefined) {
      return {
        kind: 'json',
        status: 502,
        headers: { 'content-type': JSON_CONTENT_TYPE, ...cacheStatus(head.status, false) },
        body: this.format.errorBody(502, ErrorCode.UpstreamError, 'the upstream stream ended before it was complete'),
      };
    }
    return {
      kind: 'json',
      status: 200,
      headers: {
        ...head.headers,
        'content-type': JSON_CONTENT_TYPE,
        ...cacheStatus(head.status, flight.intent.allowed),
      },
      body: json,
    };
  }
}

/** What a hedged miss got from its upstream call: the reply, or the error that replaced it. */
interface FromUpstream {
  readonly from: 'upstream';
  readonly reply?: ProxyReply;
  readonly error?: unknown;
}

/** What a hedged miss got from its lookup. */
interface FromCache {
  readonly from: 'cache';
  readonly outcome: LookupOutcome;
}

/** The upstream did not answer usefully: an error thrown, rate-limited, or failed on its side. */
function failed(answered: FromUpstream): boolean {
  const status = answered.reply?.status;
  return status === undefined || status === 429 || status >= 500;
}

/**
 * The promise's value if it settles within `ms`; undefined when the timer fires first. 0 waits only for what is
 * already settled (microtasks, then one `setImmediate`), not for a timer's 1 ms minimum.
 */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const late = new Promise<undefined>((resolve) => {
    if (ms === 0) immediate = setImmediate(resolve, undefined);
    else timer = setTimeout(resolve, ms, undefined);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  }
}
