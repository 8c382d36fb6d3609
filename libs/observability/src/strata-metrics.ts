import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type EntriesSource = () => Promise<number>;
export interface ConsumerLag {
  readonly group: string;
  readonly topic: string;
  readonly lag: number;
}
type LagSource = () => Promise<readonly ConsumerLag[]>;

/**
 * Every Prometheus metric Strata exports. One instance per process (`StrataMetrics.shared()`): in the
 * embedded default the four services share it, so each metric is registered once.
 */
export class StrataMetrics {
  private static instance: StrataMetrics | undefined;

  readonly registry = new Registry();
  private readonly entrySources = new Map<string, EntriesSource>();

  readonly lookups = new Counter({
    name: 'strata_cache_lookups_total',
    help: 'Cache lookups per tier and outcome (hit, miss, error, skipped, bypass).',
    labelNames: ['tier', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly hitReplays = new Counter({
    name: 'strata_hit_replays_total',
    help: 'L1 hits the gateway answered by replaying the reply it wrote for the same request (route, headers and body), without parsing or keying it again; also counted in strata_cache_lookups_total.',
    registers: [this.registry],
  });

  readonly lookupDuration = new Histogram({
    name: 'strata_cache_lookup_duration_seconds',
    help: 'Time spent looking up one tier (l1 in the gateway; l2, l3 in the cache service; total end to end).',
    labelNames: ['tier'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly results = new Counter({
    name: 'strata_cache_results_total',
    help: 'Gateway lookups by the tier that answered (l1, l2, l3) or miss; bypasses are in strata_cache_lookups_total.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly evictions = new Counter({
    name: 'strata_cache_evictions_total',
    help: 'Entries evicted for space or expiry, per tier.',
    labelNames: ['tier'] as const,
    registers: [this.registry],
  });

  readonly tierErrors = new Counter({
    name: 'strata_tier_errors_total',
    help: 'Failed operations against a tier or dependency; the request went on without it.',
    labelNames: ['tier', 'operation'] as const,
    registers: [this.registry],
  });

  readonly semanticRejections = new Counter({
    name: 'strata_semantic_rejections_total',
    help: 'Semantic candidates retrieved by vector search but rejected by verification, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly purged = new Counter({
    name: 'strata_invalidation_purged_total',
    help: 'Entries purged per tier.',
    labelNames: ['tier'] as const,
    registers: [this.registry],
  });

  readonly stores = new Counter({
    name: 'strata_cache_stores_total',
    help: 'Store requests by outcome (stored, rejected, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly embeddingCache = new Counter({
    name: 'strata_embedding_cache_total',
    help: 'Embedding-cache reads per text, by outcome (hit, miss, error, coalesced).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly embeddingProviderCalls = new Counter({
    name: 'strata_embedding_provider_calls_total',
    help: 'Calls to the embedding provider by outcome (ok or an error code).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly embeddingProviderTexts = new Counter({
    name: 'strata_embedding_provider_texts_total',
    help: 'Texts sent to the embedding provider (each one embedded for the first time).',
    registers: [this.registry],
  });

  readonly embeddingProviderDuration = new Histogram({
    name: 'strata_embedding_provider_duration_seconds',
    help: 'Duration of one embedding provider call.',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  readonly eventToPurge = new Histogram({
    name: 'strata_invalidation_event_to_purge_seconds',
    help: 'From a data change (event occurredAt) to its purge confirmed on every tier.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly dataChangeEvents = new Counter({
    name: 'strata_invalidation_events_total',
    help: 'Data-change events by outcome (applied, duplicate).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly deadLettered = new Counter({
    name: 'strata_dlq_messages_total',
    help: 'Messages sent to a dead-letter topic, by the topic they came from and the reason class.',
    labelNames: ['topic', 'reason'] as const,
    registers: [this.registry],
  });

  readonly kafkaRetries = new Counter({
    name: 'strata_kafka_retries_total',
    help: 'Messages whose handling failed transiently and will be redelivered (offset not committed).',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });

  readonly tokensSaved = new Counter({
    name: 'strata_tokens_saved_total',
    help: 'Upstream tokens (prompt + completion, from the stored usage) not spent because a hit answered, by model and tenant.',
    labelNames: ['model', 'tenant'] as const,
    registers: [this.registry],
  });

  readonly costSaved = new Counter({
    name: 'strata_cost_saved_usd_total',
    help: 'US dollars not spent on the upstream because a hit answered (stored usage × configured prices, prompt-cache reads and writes at their rates), by model and tenant.',
    labelNames: ['model', 'tenant'] as const,
    registers: [this.registry],
  });

  readonly upstreamTokens = new Counter({
    name: 'strata_upstream_tokens_total',
    help: 'Tokens the upstream reported for answers it computed, by model, tenant and kind: input (not from its prompt cache), cache_read, cache_write, output. Prompt-cache hit ratio = cache_read / (input + cache_read + cache_write).',
    labelNames: ['model', 'tenant', 'kind'] as const,
    registers: [this.registry],
  });

  readonly promptPrefixes = new Counter({
    name: 'strata_prompt_prefix_requests_total',
    help: 'Proxied requests by namespace and what their stable prefix (tools, system prompt) did: reused (seen before), new, volatile (changed by a timestamp, date, id or counter since the previous request), none.',
    labelNames: ['namespace', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly upstreamCost = new Counter({
    name: 'strata_upstream_cost_usd_total',
    help: 'US dollars the upstream charged for answers it computed (reported usage × configured prices), by model and tenant.',
    labelNames: ['model', 'tenant'] as const,
    registers: [this.registry],
  });

  readonly proxyRequests = new Counter({
    name: 'strata_proxy_requests_total',
    help: 'Requests to the OpenAI-compatible endpoints by endpoint and cache status (hit, stale, miss, bypass, error).',
    labelNames: ['endpoint', 'cache'] as const,
    registers: [this.registry],
  });

  readonly proxyCoalesced = new Counter({
    name: 'strata_proxy_coalesced_total',
    help: 'Requests that joined an identical upstream call already in flight instead of making their own.',
    registers: [this.registry],
  });

  readonly proxyHedges = new Counter({
    name: 'strata_proxy_hedges_total',
    help: 'Hedged misses (upstream.hedgeAfterMs): upstream calls started before the cache answered, by what answered the request (hit: the call was abandoned; upstream).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly upstreamRequests = new Counter({
    name: 'strata_upstream_requests_total',
    help: 'Calls to the OpenAI-compatible upstream by endpoint and outcome (HTTP status class, error, timeout, aborted).',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly upstreamDuration = new Histogram({
    name: 'strata_upstream_response_seconds',
    help: 'Time until the upstream answered: its whole body (non-streaming) or its response headers (streaming).',
    labelNames: ['endpoint'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly proxyStores = new Counter({
    name: 'strata_proxy_store_queue_total',
    help: 'Stores queued after misses, by outcome (stored, retried, dropped: queue full, failed: out of attempts, rejected).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly proxyStoreQueueDepth = new Gauge({
    name: 'strata_proxy_store_queue_depth',
    help: 'Stores waiting in the gateway queue (not yet sent to the cache service).',
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'strata_rate_limited_total',
    help: 'Requests refused with 429 by the per-tenant rate limit.',
    labelNames: ['tenant'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'strata_auth_failures_total',
    help: 'Requests refused with 401 for a missing or unknown API key (each counts against its client address).',
    registers: [this.registry],
  });

  readonly entries: Gauge<'tier'>;
  readonly consumerLag: Gauge<'group' | 'topic'>;
  private lagSource: LagSource | undefined;
  readonly dataChangesUnavailable: Gauge;
  private outageSource: (() => number) | undefined;
  readonly l3WritesPending: Gauge;
  private pendingWritesSource: (() => number) | undefined;

  private constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'strata_' });
    const sources = this.entrySources;
    const lag = () => this.lagSource;
    this.consumerLag = new Gauge({
      name: 'strata_kafka_consumer_lag',
      help: 'Messages not yet consumed (high watermark minus committed offset), per consumer group and topic.',
      labelNames: ['group', 'topic'] as const,
      registers: [this.registry],
      async collect() {
        const source = lag();
        if (!source) return;
        try {
          for (const { group, topic, lag: value } of await source()) this.set({ group, topic }, value);
        } catch {
          // Kafka unreachable at scrape time: keep the last values.
        }
      },
    });
    const outage = () => this.outageSource;
    this.dataChangesUnavailable = new Gauge({
      name: 'strata_invalidation_unavailable_seconds',
      help: 'How long data-change events have been failing with cache_unavailable (Redis or the cache service unreachable) without one being applied; 0 while they apply.',
      registers: [this.registry],
      collect() {
        const source = outage();
        if (source) this.set(source());
      },
    });
    const pendingWrites = () => this.pendingWritesSource;
    this.l3WritesPending = new Gauge({
      name: 'strata_cache_l3_writes_pending',
      help: "L3 writes of the proxy's stores still running after their reply (the embedding, then the upsert); past 1,024 a store skips L3.",
      registers: [this.registry],
      collect() {
        const source = pendingWrites();
        if (source) this.set(source());
      },
    });
    this.entries = new Gauge({
      name: 'strata_cache_entries',
      help: 'Entries held per tier.',
      labelNames: ['tier'] as const,
      registers: [this.registry],
      async collect() {
        await Promise.all(
          [...sources].map(async ([tier, count]) => {
            try {
              this.set({ tier }, await count());
            } catch {
              // A tier that cannot be counted right now keeps its last value.
            }
          }),
        );
      },
    });
  }

  /** Reports, at scrape time, how long data-change events have failed with cache_unavailable (seconds, 0 = applying). */
  reportDataChangeOutage(source: () => number): void {
    this.outageSource = source;
  }

  /** Reports, at scrape time, how many L3 writes of background stores are still running (the cache service). */
  reportPendingL3Writes(source: () => number): void {
    this.pendingWritesSource = source;
  }

  /** Reports consumer lag at scrape time (distributed mode). */
  reportConsumerLag(source: LagSource): void {
    this.lagSource = source;
  }

  static shared(): StrataMetrics {
    StrataMetrics.instance ??= new StrataMetrics();
    return StrataMetrics.instance;
  }

  /** Reports a tier's entry count at scrape time. */
  countEntries(tier: string, source: EntriesSource): void {
    this.entrySources.set(tier, source);
  }

  async counterValue(counter: Counter<string>, labels: Record<string, string> = {}): Promise<number> {
    const { values } = await counter.get();
    return values
      .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
      .reduce((sum, v) => sum + v.value, 0);
  }
}
