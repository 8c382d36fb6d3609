import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  type CacheEntry,
  DEFAULT_NAMESPACE,
  NamespacePolicies,
  type NamespacePolicy,
  type PurgeSelector,
  type RequestFingerprint,
  ageSeconds,
  cacheability,
  entryFromStoreRequest,
  entryTag,
  fingerprintRequest,
  ttlRemainingSeconds,
  userScopeHash,
  userTag,
} from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import {
  CACHE_SERVICE,
  type CacheLookupReply,
  type CacheService,
  type CacheStatsReply,
  type CacheStoreReply,
  type CacheStoreRequest,
  type ChatMessage,
  ErrorCode,
  INVALIDATION,
  type Invalidation,
  type JsonValue,
  type LookupExplanation,
  type LookupMode,
  MAX_JSON_DEPTH,
  type RequestContext,
  type SemanticSelector,
  StrataError,
  jsonDepth,
} from '@strata/contracts';
import { StrataMetrics, boundCounter, boundHistogram } from '@strata/observability';
import { LRUCache } from 'lru-cache';
import { L1Cache } from '../l1/l1-cache';
import { type HitTier, LatencySaved } from './latency-saved';
import { HitRecorder } from './hit-recorder';
import { TenantStats } from './tenant-stats';
import { AnsweredRequests } from '../feedback/answered-requests';
import { type StoredRequest, WarmRecorder } from '../warm/warm-recorder';

/** What identifies a cacheable request (the body of lookups and stores, minus what is specific to each). */
export interface CacheRequest {
  readonly namespace?: string | undefined;
  readonly model: string;
  readonly messages?: ChatMessage[] | undefined;
  readonly prompt?: string | undefined;
  readonly params?: Record<string, unknown> | undefined;
  /** The end user (OpenAI `user`, Anthropic `metadata.user_id`, `X-Strata-User`, or the API's `user`): user-scoped namespaces only. */
  readonly user?: string | undefined;
}

export type LookupOutcome =
  | {
      readonly status: 'hit';
      readonly tier: 'l1' | 'l2' | 'l3';
      readonly entry: CacheEntry;
      readonly similarity?: number;
      readonly now: number;
      readonly explain?: LookupExplanation;
      /** An L3 hit the model judge decided (its similarity alone was below the threshold). */
      readonly verified?: boolean;
    }
  | {
      readonly status: 'miss';
      readonly ticket?: number;
      readonly explain?: LookupExplanation;
      /** The semantic step was not taken: its embedding would have come after the lookup's time (load shed). */
      readonly semanticBusy?: true;
    }
  | { readonly status: 'bypass'; readonly reason: string };

/** An L1 hit, as `recordL1Hit` records it: the tenant, its namespace (the policy's name) and model, and the entry. */
export interface L1Hit {
  readonly tenant: string;
  readonly namespace: string;
  readonly model: string;
  readonly entry: CacheEntry;
}

interface StoreOutcome {
  readonly id: string;
  readonly entry: CacheEntry;
  readonly tiers: { readonly l1: boolean; readonly l2: boolean; readonly l3: boolean };
}

interface StoreOptions {
  readonly tags?: readonly string[] | undefined;
  readonly ttlSeconds?: number | undefined;
  /** Selects the content type's default TTL (see `contentTypeTtlSeconds`) when `ttlSeconds` is not given. */
  readonly contentType?: string | undefined;
  /** The request's fingerprint when the caller has it (the proxy stores after a miss it already keyed). */
  readonly fingerprint?: RequestFingerprint | undefined;
  /** When the answer was computed (epoch ms; default now): the proxy passes the upstream call's start, so `Age` is true. */
  readonly storedAt?: number | undefined;
  /** The ticket of the lookup that missed (see PurgeGenerations): a purge since then makes the store stale. */
  readonly ticket?: number | undefined;
  /** How long the upstream took to compute the answer: the latency later hits on it are credited with. */
  readonly upstreamSeconds?: number | undefined;
  /** The client's request behind the answer (the proxy's stores): kept for namespaces that warm on version bumps. */
  readonly replay?: StoredRequest | undefined;
  /**
   * `background`: the cache service replies once L2 holds the entry and writes L3 after (the proxy's stores: nobody
   * waits on them, and a store waiting on the encoder holds a slot of the store queue). Default `wait`: the reply's
   * `l3` says whether L3 took the entry.
   */
  readonly semantic?: 'wait' | 'background' | undefined;
}

/** How a lookup is made, beyond what it asks. */
interface LookupOptions {
  /** The request's fingerprint, when the caller computed it already (the proxy keys coalescing with it). */
  readonly fingerprint?: RequestFingerprint | undefined;
  /** Ask the cache service why it answers as it does (the console): skips L1 and carries no budget. */
  readonly explain?: boolean;
  /** The HTTP request being answered: its id goes with the cache service's lookup, and names a hit for feedback. */
  readonly context?: RequestContext;
}

interface PurgeCounts {
  readonly l1: number;
  readonly l2: number;
  readonly l3: number;
  /** For a semantic purge: how many entries (with their copies) it selected, and whether it hit its cap. */
  readonly semantic?: { readonly matched: number; readonly truncated: boolean };
}

/** A purge from the API: by tags and/or namespace, or by meaning (`semantic`, narrowed by `namespace`). */
type GatewayPurge = PurgeSelector & {
  readonly semantic?: SemanticSelector | undefined;
  /** Forget this user: every entry tagged with their pseudonym (combined with `namespace` only). */
  readonly user?: string | undefined;
};

/** Cache-Status detail of a user-scoped request that names no user. */
const NO_USER = 'no-user';

/** Stores may embed and write two tiers: they get more time than a lookup. */
const STORE_TIMEOUT_MS = 5_000;
const PURGE_TIMEOUT_MS = 60_000;

function elapsedSeconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * The gateway's cache logic, shared by the cache-as-a-service API and the OpenAI-compatible proxy:
 * fingerprint once, apply the namespace policy, answer from L1 when it can, otherwise ask the cache
 * service (within its timeout: a slow or absent cache service is a miss, not an error) and fill L1.
 */
@Injectable()
export class GatewayCache {
  private readonly metrics = StrataMetrics.shared();
  /** The upstream latency hits avoided (see `LatencySaved`), for `/metrics` and `/v1/cache/stats`. */
  readonly latency = new LatencySaved();
  /** The hot path's metric children, bound once (they add to plain numbers until read: `boundCounter`, `boundHistogram`). */
  private readonly bound = {
    l1Hit: boundCounter(this.metrics.lookups, { tier: 'l1', outcome: 'hit' }),
    l1Miss: boundCounter(this.metrics.lookups, { tier: 'l1', outcome: 'miss' }),
    l1Duration: boundHistogram(this.metrics.lookupDuration, { tier: 'l1' }),
    totalDuration: boundHistogram(this.metrics.lookupDuration, { tier: 'total' }),
    results: {
      l1: boundCounter(this.metrics.results, { result: 'l1' }),
      l2: boundCounter(this.metrics.results, { result: 'l2' }),
      l3: boundCounter(this.metrics.results, { result: 'l3' }),
      miss: boundCounter(this.metrics.results, { result: 'miss' }),
    },
  };
  private readonly lookupTimeoutMs: number;
  /** An `inline` judge namespace's lookups may also wait for the judge (then a late verdict is a miss). */
  private readonly inlineJudgeMs: number;
  private readonly userIdSalt: string | undefined;
  /** L1 entries removed by the broadcast of each recent purge of this gateway's, by purge id. */
  private readonly broadcastEvictions = new LRUCache<string, number>({ max: 1_024, ttl: 120_000 });

  constructor(
    @Inject(STRATA_CONFIG) config: StrataConfig,
    private readonly l1: L1Cache,
    private readonly policies: NamespacePolicies,
    @Inject(CACHE_SERVICE) private readonly cache: CacheService,
    @Inject(INVALIDATION) private readonly invalidation: Invalidation,
    private readonly tenantStats: TenantStats,
    private readonly hits: HitRecorder,
    /** Recent answers by request id, for feedback (absent: feedback by request id finds nothing). */
    @Optional() private readonly answered?: AnsweredRequests,
    /** Keeps the requests behind stores of warm-on-version-bump namespaces (absent: none kept). */
    @Optional() private readonly warm?: WarmRecorder,
  ) {
    this.lookupTimeoutMs = config.kafka.requestTimeoutMs;
    this.inlineJudgeMs = config.verification.judge.url === undefined ? 0 : config.verification.judge.timeoutMs;
    this.userIdSalt = config.cache.userIdSalt;
  }

  policy(namespace: string | undefined): NamespacePolicy {
    return this.policies.get(namespace ?? DEFAULT_NAMESPACE);
  }

  /**
   * The user's pseudonym in a user-scoped namespace (undefined in tenant scope, or when no user is named: such a
   * request bypasses). The salt is required by the config whenever a namespace is user-scoped.
   */
  userKey(tenant: string, policy: NamespacePolicy, user: string | undefined): string | undefined {
    if (policy.scope !== 'user' || user === undefined || user === '') return undefined;
    if (this.userIdSalt === undefined)
      throw new StrataError(ErrorCode.Internal, `namespace "${policy.name}" is user-scoped but no salt is configured`);
    return userScopeHash(this.userIdSalt, tenant, user);
  }

  /** Why a request may not use the cache before its temperature is even looked at; undefined when it may. */
  scopeBypass(policy: NamespacePolicy, user: string | undefined): string | undefined {
    return policy.scope === 'user' && (user === undefined || user === '') ? NO_USER : undefined;
  }

  fingerprint(tenant: string, request: CacheRequest, policy: NamespacePolicy): RequestFingerprint {
    return fingerprintRequest({
      user: this.userKey(tenant, policy, request.user),
      tenant,
      namespace: policy.name,
      namespaceVersion: policy.version,
      model: request.model,
      messages: request.messages,
      prompt: request.prompt,
      params: request.params,
    });
  }

  async lookup(
    tenant: string,
    request: CacheRequest,
    mode: LookupMode = 'auto',
    threshold?: number,
    { fingerprint, explain = false, context = {} }: LookupOptions = {},
  ): Promise<LookupOutcome> {
    const start = process.hrtime.bigint();
    const policy = this.policy(request.namespace);
    const verdict = cacheability(policy.temperaturePolicy, request.params);
    if (!verdict.cacheable) {
      this.metrics.lookups.inc({ tier: 'total', outcome: 'bypass' });
      this.tenantStats.record(tenant, 'bypass');
      return { status: 'bypass', reason: verdict.reason };
    }
    const scopeBypass = this.scopeBypass(policy, request.user);
    if (scopeBypass !== undefined) {
      this.metrics.lookups.inc({ tier: 'total', outcome: 'bypass' });
      this.tenantStats.record(tenant, 'bypass');
      return { status: 'bypass', reason: scopeBypass };
    }
    const fp = fingerprint ?? this.fingerprint(tenant, request, policy);

    // An explained lookup skips L1: it asks the cache service, which knows the candidates.
    if (mode !== 'semantic' && !explain) {
      const entry = this.l1.get(fp.exactKey, tenant);
      if (entry) {
        // The hit's time, read once: for the outcome and for the entry's popularity.
        const now = Date.now();
        this.recordL1Hit(
          { tenant, namespace: policy.name, model: request.model, entry },
          now,
          context.requestId,
          elapsedSeconds(start),
        );
        return { status: 'hit', tier: 'l1', entry, now };
      }
      this.bound.l1Miss.inc();
    }

    let reply: CacheLookupReply;
    try {
      reply = await this.cache.lookup(
        {
          tenant,
          namespace: policy.name,
          model: request.model,
          exactKey: fp.exactKey,
          contextHash: fp.contextHash,
          query: fp.query,
          mode,
          threshold: threshold ?? policy.similarityThreshold,
          ...(policy.similarityThreshold === undefined ? {} : { namespaceThreshold: policy.similarityThreshold }),
          ...(explain ? { explain: true } : {}),
          ...(policy.verification === undefined ? {} : { verification: policy.verification }),
          // The embedding must come within the lookup's own time (an inline judge's comes on top). An explained lookup
          // (the console's "why did this miss") waits for it: it is asked to see the candidates.
          ...(explain ? {} : { budgetMs: this.lookupTimeoutMs }),
        },
        {
          timeoutMs: this.lookupTimeoutMs + (policy.verification?.judge === 'inline' ? this.inlineJudgeMs : 0),
          requestId: context.requestId,
        },
      );
    } catch {
      // The cache service is slow or away: the caller gets a miss quickly rather than an error.
      this.metrics.tierErrors.inc({ tier: 'cache-service', operation: 'lookup' });
      this.recordResult(tenant, 'miss', start);
      return { status: 'miss' };
    }
    if (!reply.hit) {
      this.recordResult(tenant, 'miss', start);
      return {
        status: 'miss',
        ...(reply.ticket === undefined ? {} : { ticket: reply.ticket }),
        ...(reply.explain === undefined ? {} : { explain: reply.explain }),
        ...(reply.semantic === 'busy' ? { semanticBusy: true as const } : {}),
      };
    }
    if (reply.entry.tenant !== tenant) {
      this.recordResult(tenant, 'miss', start);
      return { status: 'miss' };
    }
    // Fill L1 under this request's key (for an L3 hit that is the paraphrase's key, as in L2).
    const entry: CacheEntry =
      reply.entry.exactKey === fp.exactKey
        ? reply.entry
        : { ...reply.entry, exactKey: fp.exactKey, query: fp.query, aliasOf: reply.entry.aliasOf ?? reply.entry.id };
    // An L3 match the cache service did not remember as exact (a looser threshold than the namespace's) stays out of L1 too.
    if (reply.tier === 'l2' || reply.backfilled !== false) this.l1.set(entry);
    this.recordResult(tenant, reply.tier, start);
    this.latency.creditHit(tenant, policy.name, request.model, reply.tier satisfies HitTier);
    const now = Date.now();
    if (!explain) this.hits.record(tenant, reply.entry.aliasOf ?? reply.entry.id, now);
    this.answered?.remember(tenant, context.requestId, {
      entryId: reply.entry.aliasOf ?? reply.entry.id,
      exactKey: fp.exactKey,
    });
    return {
      status: 'hit',
      tier: reply.tier,
      entry: reply.entry,
      ...(reply.similarity === undefined ? {} : { similarity: reply.similarity }),
      ...(reply.verified === true ? { verified: true } : {}),
      ...(reply.explain === undefined ? {} : { explain: reply.explain }),
      now,
    };
  }

  /** `context`: the request the answer is stored for (the API's store, or the proxied miss that got it). */
  async store(
    tenant: string,
    request: CacheRequest,
    response: JsonValue,
    options: StoreOptions,
    context: RequestContext = {},
  ): Promise<StoreOutcome> {
    const policy = this.policy(request.namespace);
    const verdict = cacheability(policy.temperaturePolicy, request.params);
    if (!verdict.cacheable) {
      this.metrics.stores.inc({ outcome: 'rejected' });
      throw new StrataError(
        ErrorCode.NotCacheable,
        `namespace "${policy.name}" does not cache this request (${verdict.reason}); see temperaturePolicy in the README`,
      );
    }
    // Whatever stored it (the API refuses deeper bodies earlier; an upstream answer may not), an entry is
    // never nested deeper than any reader can serialise.
    if (jsonDepth(response) > MAX_JSON_DEPTH) {
      this.metrics.stores.inc({ outcome: 'rejected' });
      throw new StrataError(
        ErrorCode.InvalidRequest,
        `response nested deeper than ${MAX_JSON_DEPTH} levels; not stored`,
      );
    }
    if (this.scopeBypass(policy, request.user) !== undefined) {
      this.metrics.stores.inc({ outcome: 'rejected' });
      throw new StrataError(
        ErrorCode.NotCacheable,
        `namespace "${policy.name}" keeps answers per user: name the user ("user", or the X-Strata-User header)`,
      );
    }
    const userKey = this.userKey(tenant, policy, request.user);
    const fp = options.fingerprint ?? this.fingerprint(tenant, request, policy);
    const message: CacheStoreRequest = {
      tenant,
      namespace: policy.name,
      namespaceVersion: policy.version,
      model: request.model,
      exactKey: fp.exactKey,
      contextHash: fp.contextHash,
      query: fp.query,
      response,
      tags: [...(options.tags ?? []), ...(userKey === undefined ? [] : [userTag(userKey)])],
      ttlSeconds: this.policies.ttlSeconds(policy, options.ttlSeconds, options.contentType),
      storedAt: options.storedAt ?? Date.now(),
      ...(options.ticket === undefined ? {} : { ticket: options.ticket }),
      ...(options.semantic === 'background' ? { semantic: 'background' as const } : {}),
    };
    let reply: CacheStoreReply;
    try {
      reply = await this.cache.store(message, { timeoutMs: STORE_TIMEOUT_MS, requestId: context.requestId });
    } catch (error) {
      this.metrics.stores.inc({ outcome: 'failed' });
      throw error;
    }
    if (reply.stale) {
      this.metrics.stores.inc({ outcome: 'stale' });
      throw new StrataError(
        ErrorCode.StaleEntry,
        'the data this answer depends on was invalidated after it was looked up; not stored',
      );
    }
    const entry = entryFromStoreRequest(message, reply.generation);
    const l1 = this.l1.set(entry);
    if (options.upstreamSeconds !== undefined)
      this.latency.recordUpstream(tenant, policy.name, request.model, options.upstreamSeconds);
    this.metrics.stores.inc({ outcome: 'stored' });
    if (options.replay !== undefined)
      this.warm?.stored(tenant, policy, reply.id, options.tags ?? [], message.ttlSeconds, options.replay);
    return { id: reply.id, entry, tiers: { l1, l2: reply.l2, l3: reply.l3 } };
  }

  /**
   * The tenant's purge generation, for an answer computed without a lookup first (forced refresh,
   * max-age refetch, stale-while-revalidate); undefined when the cache service does not answer in time.
   */
  async ticket(tenant: string, context: RequestContext = {}): Promise<number | undefined> {
    try {
      const options = { timeoutMs: this.lookupTimeoutMs, requestId: context.requestId };
      return (await this.cache.ticket({ tenant }, options)).ticket;
    } catch {
      return undefined;
    }
  }

  async getEntry(tenant: string, id: string, context: RequestContext = {}): Promise<CacheEntry | undefined> {
    const reply = await this.cache.getEntry(
      { tenant, id },
      { timeoutMs: STORE_TIMEOUT_MS, requestId: context.requestId },
    );
    return reply.entry && reply.entry.tenant === tenant ? reply.entry : undefined;
  }

  /** Deleting an entry purges it and every copy backfilled from it (they share its `$entry` tag). */
  deleteEntry(tenant: string, id: string, context: RequestContext = {}): Promise<PurgeCounts> {
    return this.purge({ tenant, tags: [entryTag(id)] }, context);
  }

  /** Purge through the invalidation service (L3, L2, then every gateway's L1); this gateway's L1 is purged before replying. */
  async purge(selector: GatewayPurge, context: RequestContext = {}): Promise<PurgeCounts> {
    const purgeId = randomUUID();
    const { tags: given, user, ...rest } = selector;
    const tags = user === undefined ? given : [this.userPurgeTag(selector.tenant, user)];
    const counts = await this.invalidation.purge(
      { ...rest, ...(tags === undefined ? {} : { tags: [...tags] }), purgeId },
      { timeoutMs: PURGE_TIMEOUT_MS, requestId: context.requestId },
    );
    // The broadcast has normally reached this replica already; evicting here too makes the reply's
    // promise hold even when it has not (the broadcast then finds nothing left).
    const generation = counts.generation === undefined ? {} : { generation: counts.generation };
    // A semantic purge evicts what the cache service selected, by `$entry` tag (L1 holds no vectors).
    const local: PurgeSelector =
      selector.semantic === undefined
        ? { ...rest, tenant: selector.tenant, ...(tags === undefined ? {} : { tags }) }
        : { tenant: selector.tenant, tags: (counts.semantic?.entryIds ?? []).map(entryTag) };
    const l1 = this.evictL1({ ...local, ...generation }) + (this.broadcastEvictions.get(purgeId) ?? 0);
    this.broadcastEvictions.delete(purgeId);
    const semantic =
      counts.semantic === undefined
        ? {}
        : { semantic: { matched: counts.semantic.entryIds.length, truncated: counts.semantic.truncated } };
    return { l1, l2: counts.l2, l3: counts.l3, ...semantic };
  }

  /** The tag every entry of the user carries in the tenant's user-scoped namespaces. */
  private userPurgeTag(tenant: string, user: string): string {
    if (this.userIdSalt === undefined)
      throw new StrataError(
        ErrorCode.InvalidRequest,
        'no namespace is user-scoped here (STRATA_USER_ID_SALT is not set): there is nothing to purge by user',
      );
    return userTag(userScopeHash(this.userIdSalt, tenant, user));
  }

  /** Forgets this replica's L1 copy of an entry (a stale one being refreshed: the refresh lands in L2). */
  dropFromL1(tenant: string, exactKey: string): void {
    this.l1.delete(exactKey, tenant);
  }

  /** Applies an L1 eviction (from a purge here or the broadcast); returns how many entries it removed. */
  evictL1(
    selector: PurgeSelector & { readonly purgeId?: string | undefined; readonly generation?: number | undefined },
  ): number {
    const purged = this.l1.purge(selector, selector.generation);
    if (purged > 0) this.metrics.purged.inc({ tier: 'l1' }, purged);
    if (selector.purgeId !== undefined)
      this.broadcastEvictions.set(selector.purgeId, (this.broadcastEvictions.get(selector.purgeId) ?? 0) + purged);
    return purged;
  }

  async stats(): Promise<{
    entries: { l1: number; l2: number | null; l3: number | null };
    verification?: CacheStatsReply['verification'];
    backendEvictions?: CacheStatsReply['backendEvictions'];
  }> {
    let remote: CacheStatsReply = { l2: null, l3: null };
    try {
      remote = await this.cache.stats({ timeoutMs: STORE_TIMEOUT_MS });
    } catch {
      // Counts from the cache service are best effort: stats still answer without them.
    }
    const { verification, backendEvictions, ...counts } = remote;
    return {
      entries: { l1: this.l1.size, ...counts },
      ...(verification === undefined ? {} : { verification }),
      ...(backendEvictions === undefined ? {} : { backendEvictions }),
    };
  }

  /** The entry L1 holds for this tenant under this key (expired or purged entries are gone), without recording a lookup. */
  l1Entry(tenant: string, exactKey: string): CacheEntry | undefined {
    return this.l1.get(exactKey, tenant);
  }

  /**
   * Everything an L1 hit records: lookup metrics, the tenant's stats, the entry's popularity, the latency it saved,
   * and the answer behind the request id (for feedback). Run by `lookup`, and for each hit the gateway's front door
   * replays (`HitReplays`), with that request's time and id.
   */
  recordL1Hit(hit: L1Hit, now: number, requestId: string | undefined, seconds: number): void {
    const { tenant, entry } = hit;
    this.bound.l1Hit.inc();
    this.bound.l1Duration.observe(seconds);
    this.tenantStats.record(tenant, 'l1');
    this.bound.results.l1.inc();
    this.bound.totalDuration.observe(seconds);
    const entryId = entry.aliasOf ?? entry.id;
    this.hits.record(tenant, entryId, now);
    this.latency.creditHit(tenant, hit.namespace, hit.model, 'l1');
    this.answered?.remember(tenant, requestId, { entryId, exactKey: entry.exactKey });
  }

  private recordResult(tenant: string, result: 'l1' | 'l2' | 'l3' | 'miss', start: bigint): void {
    this.tenantStats.record(tenant, result);
    this.bound.results[result].inc();
    this.bound.totalDuration.observe(elapsedSeconds(start));
  }
}

export function describeHit(outcome: Extract<LookupOutcome, { status: 'hit' }>): {
  age: number;
  ttl: number;
  id: string;
} {
  return {
    age: ageSeconds(outcome.entry, outcome.now),
    ttl: ttlRemainingSeconds(outcome.entry, outcome.now),
    id: outcome.entry.aliasOf ?? outcome.entry.id,
  };
}
