import { z } from 'zod';

/** What a namespace may override. Everything is optional: unset fields fall back to the cache defaults. */
export const namespacePolicySchema = z
  .object({
    /** Bump to invalidate every entry of the namespace at once (old entries become unreachable). */
    version: z.number().int().min(1).default(1),
    /**
     * `deterministic-only` (default): serve and store only requests with temperature 0 (an unset temperature
     * is non-deterministic at every major provider); `always`: ignore temperature; `never`: never cache.
     */
    temperaturePolicy: z.enum(['deterministic-only', 'always', 'never']).optional(),
    defaultTtlSeconds: z.number().int().positive().optional(),
    maxTtlSeconds: z.number().int().positive().optional(),
    similarityThreshold: z.number().min(0).max(1).optional(),
    /** A calibrated preset instead of a number (strict 1, balanced 0.94, lenient 0.81); the threshold wins. */
    semanticPrecision: z.enum(['strict', 'balanced', 'lenient']).optional(),
    /** Default TTL per content type (a label given on store), overriding `defaultTtlSeconds`. */
    contentTypeTtlSeconds: z.record(z.string(), z.number().int().positive()).optional(),
    /** Hit verification (needs `verification.judge.url`, docs/verified-hits.md): the judge's mode and the wrong-hit bound. */
    verification: z
      .object({
        /** `inline`: a borderline lookup waits for the judge; `learn`: misses now, a yes makes the same question hit next time. */
        judge: z.enum(['inline', 'learn']).optional(),
        /** The wrong-hit rate the namespace accepts (e.g. 0.02): audits keep its upper bound under it. */
        maxWrongHitRate: z.number().min(0).max(1).optional(),
        /** Share of served semantic hits audited in the background (by the judge, or by shadow upstream calls); unset: none. */
        auditShare: z.number().min(0).max(1).optional(),
        /**
         * Who audits: `judge` (default) asks the judge whether the two requests need the same answer; `shadow`: the
         * gateway asks the upstream again (in the background, it costs upstream tokens) and compares the answers.
         */
        audit: z.enum(['judge', 'shadow']).optional(),
      })
      .strict()
      .optional(),
    /**
     * `tenant` (default): every user of the tenant shares the entries. `user`: personal data — the user id is part of the
     * key and of the semantic partition (hashed with `cache.userIdSalt`), a request without one bypasses the cache.
     */
    scope: z.enum(['tenant', 'user']).optional(),
    /** Hits may be kept by shared caches (CDNs): `Cache-Control: public`, ETag, and the keyless `GET /v1/cache/public/…`. */
    public: z.boolean().optional(),
    /**
     * Off unless set: keep the request behind each stored entry (never keys; not with scope "user"), and when the
     * namespace's `version` is raised, re-ask the previous version's `top` most hit questions through the proxy, in
     * the background, at most `ratePerSecond` (once per bump across gateway replicas).
     */
    warmOnVersionBump: z
      .object({
        top: z.number().int().min(1).max(10_000).default(500),
        ratePerSecond: z.number().positive().max(1_000).default(5),
      })
      .strict()
      .optional(),
  })
  .strict();
export type NamespacePolicyConfig = z.infer<typeof namespacePolicySchema>;

const kafkaSchema = z
  .object({
    brokers: z.array(z.string().min(1)).default(['127.0.0.1:9092']),
    clientId: z.string().default('strata'),
    ssl: z.boolean().default(false),
    sasl: z
      .object({
        mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
        username: z.string(),
        /** Secret: never logged. */
        password: z.string(),
      })
      .optional(),
    /** Partitions for topics Strata creates; replication factor likewise. */
    partitions: z.number().int().positive().default(6),
    replicationFactor: z.number().int().positive().default(1),
    /** How long the gateway waits for the cache service before answering a miss. */
    requestTimeoutMs: z.number().int().positive().default(50),
    /** Consumer session timeout: how soon a crashed replica's partitions move to the others. */
    sessionTimeoutMs: z.number().int().positive().default(10_000),
    /** Consumer group of this gateway replica's L1-eviction consumer; unique per replica (default: host name + pid). */
    instanceId: z.string().min(1).optional(),
  })
  .strict();

export const strataConfigSchema = z
  .object({
    mode: z.enum(['embedded', 'distributed']).default('embedded'),
    http: z
      .object({
        /**
         * Interface to bind. Unset: `0.0.0.0` when API keys are configured, else `127.0.0.1` (a keyless gateway
         * is reachable from this machine only, like Redis' protected mode); see `auth.allowKeylessPublic`.
         */
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** When set, the gateway also serves `/metrics` (and `/health/*`) on this port, bound like the API, without a key. */
        metricsPort: z.number().int().min(0).max(65535).optional(),
        /** Fastify's `trustProxy`: whose `X-Forwarded-For` names the client (per-client limits); false = the socket's peer. */
        trustProxy: z.union([z.boolean(), z.number().int().min(1), z.array(z.string().min(1))]).default(false),
        /** Largest request body accepted; larger bodies get 413. */
        bodyLimitBytes: z.number().int().positive().default(1_048_576),
        /**
         * The gateway's front door answers an L1 hit asked again, byte for byte the same, without Fastify
         * (`HitReplays`); false sends every request through Fastify (the same answers, ~2× the CPU per hit).
         */
        hitReplays: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** Port of each internal service's health/metrics server in distributed mode. */
    healthPort: z.number().int().min(0).max(65535).default(9464),
    /** Interface of that server (it serves `/health/*` and `/metrics` only, for probes and Prometheus). */
    healthHost: z.string().min(1).default('0.0.0.0'),
    limits: z
      .object({
        maxTextChars: z.number().int().positive().default(32_768),
        maxMessages: z.number().int().positive().default(256),
        maxTags: z.number().int().positive().default(64),
        maxTagChars: z.number().int().positive().default(256),
      })
      .strict()
      .default({}),
    auth: z
      .object({
        /** API keys: tenant → SHA-256 hex of the key. Keys are hashed at rest; none ⇒ one default tenant. */
        apiKeys: z
          .array(z.object({ tenant: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }))
          .default([]),
        /** Operator keys (SHA-256 hex): they read every tenant's `/v1/cache/stats` and `/metrics` on the API port, and nothing else. */
        adminKeys: z.array(z.string().regex(/^[0-9a-f]{64}$/)).default([]),
        defaultTenant: z.string().min(1).default('default'),
        /** Let a gateway without API keys listen on a non-loopback interface (every caller is then the default tenant). */
        allowKeylessPublic: z.boolean().default(false),
        /** On such a keyless public gateway, also accept cache-API writes (stores, deletes, purges, invalidations) from anyone. */
        keylessWrites: z.boolean().default(false),
        /** With API keys: a route with no configured upstream key forwards the client's own (`Authorization` beside `X-Strata-Key`). */
        clientUpstreamKeys: z.boolean().default(false),
        /** Failed authentications accepted per client IP and minute (burst as many); beyond, 429 until the budget refills. */
        failuresPerMinute: z.number().int().positive().default(30),
      })
      .strict()
      .default({}),
    kafka: kafkaSchema.default({}),
    redis: z
      .object({
        url: z.string().url().optional(),
        /** Redis Cluster seed nodes (`redis://host:port`); when set, used instead of `url`. */
        clusterNodes: z.array(z.string().url()).default([]),
        /** A Redis command unanswered this long fails (then the circuit breaker refuses commands at once). */
        commandTimeoutMs: z.number().int().positive().default(1_000),
      })
      .strict()
      .default({}),
    qdrant: z
      .object({
        url: z.string().url().optional(),
        /** Secret: never logged. */
        apiKey: z.string().optional(),
        collectionPrefix: z.string().default('strata'),
        hnsw: z
          .object({ m: z.number().int().positive().default(16), efConstruct: z.number().int().positive().default(100) })
          .default({}),
        /** Scalar (int8) quantization of stored vectors. */
        quantization: z.enum(['none', 'scalar']).default('none'),
        /** Per-request timeout: a slow or unreachable Qdrant fails fast and L3 is skipped. */
        timeoutMs: z.number().int().positive().default(2_000),
      })
      .strict()
      .default({}),
    embedding: z
      .object({
        provider: z.enum(['local', 'openai']).default('local'),
        /** Base URL of an OpenAI-compatible `/v1/embeddings` (OpenAI, Azure, TEI, vLLM, Ollama). */
        url: z.string().url().optional(),
        /**
         * The model's name (stored with every vector). With the local provider: `use-lite` (the default, Universal
         * Sentence Encoder lite: finds rewordings) or `glove-wiki-100d` (averaged word vectors: about 10 ms less
         * CPU per new text, few semantic hits beyond shared words). See docs/semantic-quality.md.
         */
        model: z.string().min(1).default('use-lite'),
        /** Secret: never logged. */
        apiKey: z.string().optional(),
        dimensions: z.number().int().positive().optional(),
        timeoutMs: z.number().int().positive().default(10_000),
        maxRetries: z.number().int().min(0).default(3),
        batchSize: z.number().int().positive().default(64),
        batchWindowMs: z.number().int().min(0).default(2),
        /**
         * Worker threads the local sentence encoder may run at once (`EMBEDDING_THREADS`), each with its own copy of
         * the model: another starts only when there is work to share. One embeds a few hundred texts a second in
         * batches on a core; give more where cores are idle and misses many (docs/configuration.md).
         */
        threads: z.number().int().min(1).max(16).default(1),
        /**
         * The local sentence encoder's workers' nice value on Linux (`EMBEDDING_THREAD_NICE`, 0–19). Above 0 they take
         * the CPU the event loop leaves, so on cores shared with the gateway new questions' embeddings cannot slow its
         * hits and misses; their lookups are shed (`semantic-busy`) instead when the encoder falls behind. Default 10.
         */
        threadNice: z.number().int().min(0).max(19).default(10),
        /**
         * A file written by `npm run calibrate`: its entry for `model` makes the semantic verifier decide with
         * this model's cosine and weights, and sets the default threshold (`STRATA_SEMANTIC_CALIBRATION`).
         */
        calibrationFile: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    cache: z
      .object({
        l1MaxEntries: z.number().int().positive().default(10_000),
        /** Gateway L1 bound in bytes (each entry's estimated size: response, query, tags, keys). */
        l1MaxBytes: z.number().int().positive().default(134_217_728),
        l1MaxTtlSeconds: z.number().int().positive().default(300),
        /** How often a gateway sends the hits it counted per entry (entry popularity: `sort=hits`, pre-warming). */
        popularityFlushMs: z.number().int().positive().default(5_000),
        /** Entry bound of the in-memory L2 and L3 of the embedded default. */
        memoryMaxEntries: z.number().int().positive().default(100_000),
        /**
         * The in-memory L3's HNSW graphs (ADR 0006); unset: the store's defaults (a graph from 4,096 entries in one
         * context, 1,024 for vectors over 128-d; M 16, efSearch 192). A wider search finds more of the exact
         * neighbours for more CPU per lookup.
         */
        memoryAnn: z
          .object({
            /** A (tenant, context) partition with this many entries is searched through a graph instead of a scan. */
            minEntries: z.number().int().min(2).optional(),
            /** Links per node (level 0 keeps twice as many): more links, better recall, more memory. */
            m: z.number().int().min(2).max(64).optional(),
            /** Candidates a lookup keeps while it walks the graph (at least the lookup's limit). */
            efSearch: z.number().int().min(1).max(4_096).optional(),
          })
          .strict()
          .default({}),
        /** Byte bound of the in-memory L2 (each entry's estimated size), besides its entry count. */
        memoryMaxBytes: z.number().int().positive().default(268_435_456),
        /** Purged tags/namespaces whose generation is kept per tenant; older ones fold into the tenant's floor. */
        generationFieldsPerTenant: z.number().int().positive().default(100_000),
        /**
         * Cosine below which vector candidates are not retrieved; verification decides above it.
         * Unset: 0.8 for the local model (nothing it accepts at the default threshold is below 0.86),
         * 0.5 for other models.
         */
        minCosine: z.number().min(-1).max(1).optional(),
        defaultTtlSeconds: z.number().int().positive().default(86_400),
        maxTtlSeconds: z.number().int().positive().default(2_592_000),
        /** Default TTL per content type (e.g. {"pricing": 300, "docs": 604800}); namespaces may override. */
        contentTypeTtlSeconds: z.record(z.string(), z.number().int().positive()).default({}),
        similarityThreshold: z.number().min(0).max(1).optional(),
        /** Vector candidates retrieved per semantic lookup before verification. */
        candidates: z.number().int().positive().max(100).default(5),
        temperaturePolicy: z.enum(['deterministic-only', 'always', 'never']).default('deterministic-only'),
        namespaces: z.record(z.string(), namespacePolicySchema).default({}),
        /** Secret: never logged. Per-deployment salt of the user pseudonyms of user-scoped namespaces (HMAC-SHA256). */
        userIdSalt: z.string().min(16, 'the user-id salt must be at least 16 characters').optional(),
      })
      .strict()
      .default({}),
    /** Verified semantic hits (docs/verified-hits.md): feedback, the model judge, per-entry thresholds. Off by default. */
    verification: z
      .object({
        /** Feedback (`POST /v1/cache/feedback`, `X-Strata-Feedback`) and its blocks; on by itself when a judge is set. */
        feedback: z.boolean().default(false),
        /** `wrong` verdicts on semantic hits of one entry after which it is purged. */
        wrongsToPurge: z.number().int().positive().default(3),
        /** What a wrong hit (feedback or failed audit) adds to the entry's own similarity threshold. */
        raiseStep: z.number().min(0).max(1).default(0.02),
        /** Request ids remembered per gateway (with the entry that answered) for feedback by request id. */
        rememberedAnswers: z.number().int().positive().default(10_000),
        judge: z
          .object({
            /** An OpenAI-compatible base URL (`https://api.openai.com/v1`, a vLLM or Ollama server). */
            url: z.string().url().optional(),
            model: z.string().min(1).default('gpt-4o-mini'),
            /** Secret: never logged. */
            apiKey: z.string().min(1).optional(),
            timeoutMs: z.number().int().positive().default(1_500),
            /** Judge calls per second per tenant (lookups and audits together). */
            callsPerSecond: z.number().min(0).default(5),
            /** Similarity from which a candidate below the threshold is put to the judge. */
            lowerBound: z.number().min(0).max(1).default(0.8),
          })
          .strict()
          .default({}),
        /** Shadow audits (namespaces with `verification.audit: shadow`): the gateway's fresh upstream calls. */
        shadow: z
          .object({
            /** Shadow upstream calls per second per tenant, at most (each costs a full upstream answer). */
            callsPerSecond: z.number().min(0).default(1),
            /** Shadow upstream calls in flight per gateway, at most; a sampled hit beyond it is skipped. */
            concurrency: z.number().int().positive().default(2),
            /** Without a judge: cosine of the two answers' embeddings from which they agree. */
            agreement: z.number().min(0).max(1).default(0.9),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({})
      /** `enabled`: hits go through the verification gate (feedback on, or a judge configured); decided here only. */
      .transform((v) => ({ ...v, enabled: v.feedback || v.judge.url !== undefined })),
    /** The OpenAI-compatible upstream(s) the gateway's `/v1/chat/completions`, `/v1/embeddings` and `/v1/models` proxy to. */
    upstream: z
      .object({
        /** Default base URL, including its version path (e.g. `https://api.openai.com/v1`). */
        url: z.string().url().optional(),
        /** Secret: never logged. Sent to the default upstream instead of the client's own Authorization. */
        apiKey: z.string().min(1).optional(),
        /** How the key is sent: `authorization` (Bearer: OpenAI, vLLM, Ollama, LiteLLM) or `api-key` (Azure OpenAI). */
        apiKeyHeader: z.enum(['authorization', 'api-key']).default('authorization'),
        /** Per-model routes, first match wins; `*` in a model pattern matches any characters. */
        routes: z
          .array(
            z
              .object({
                models: z.array(z.string().min(1)).min(1),
                url: z.string().url(),
                /** Secret: never logged. */
                apiKey: z.string().min(1).optional(),
                apiKeyHeader: z.enum(['authorization', 'api-key']).optional(),
                /**
                 * More replicas of the same self-hosted model server (beside `url`): each request goes to the replica
                 * picked by rendezvous hashing of its stable prefix (so its prefix cache is warm there), with bounded
                 * load and failover to the next replica on errors.
                 */
                replicas: z.array(z.string().url()).optional(),
              })
              .strict(),
          )
          .default([]),
        /** Prefix-affinity bounded load: no replica takes a request above (1 + ε) × the mean in-flight requests. */
        affinityLoadFactor: z.number().min(0).default(0.5),
        /** Until the upstream's response headers (streams) or its whole body (non-streaming): a hung upstream releases its clients after this. */
        timeoutMs: z.number().int().positive().default(60_000),
        /** Longest silence between two chunks of a streamed response before it is abandoned (not stored). */
        streamIdleTimeoutMs: z.number().int().positive().default(120_000),
        /** Ask streaming upstreams for the usage chunk (stripped for clients that did not ask), so hits can count tokens saved. */
        streamUsage: z.boolean().default(true),
        /** Stale-while-revalidate grace per namespace, in seconds: an entry this much past its TTL is served (STALE) and refreshed once in the background. */
        staleWhileRevalidateSeconds: z.record(z.string(), z.number().int().min(0)).default({}),
        /**
         * Hedged misses per namespace (`*` for every namespace), in ms; unset: off. When the cache has not answered a
         * lookup within this budget, the upstream call starts beside it; a hit that arrives before the upstream's answer
         * is still served, and the upstream call is then abandoned (it may be billed). Bounds what a slow embedding
         * provider or vector store adds to a miss; 0 starts the upstream call with the lookup.
         */
        hedgeAfterMs: z.record(z.string(), z.number().int().min(0).max(60_000)).default({}),
        /** The Anthropic Messages API upstream of `/v1/messages`. */
        anthropic: z
          .object({
            /** Base URL including its version path. */
            url: z.string().url().default('https://api.anthropic.com/v1'),
            /** Secret: never logged. Sent as `x-api-key` instead of the client's own key. */
            apiKey: z.string().min(1).optional(),
          })
          .strict()
          .default({}),
        /** The queue of stores after misses: bounded (oldest dropped when full), retried with backoff, never blocking a response. */
        storeQueue: z
          .object({
            capacity: z.number().int().positive().default(1_000),
            concurrency: z.number().int().positive().default(4),
            maxAttempts: z.number().int().positive().default(4),
            retryBaseMs: z.number().int().positive().default(100),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    /** Prices for counting money saved by hits: USD per 1M tokens, by model (`*` matches any characters). */
    pricing: z
      .object({
        models: z
          .record(
            z.string(),
            z
              .object({
                inputPerMillion: z.number().min(0),
                outputPerMillion: z.number().min(0),
                /** Input tokens read from the provider's prompt cache; default: the input price. */
                cachedInputPerMillion: z.number().min(0).optional(),
                /** Input tokens written to the provider's prompt cache (Anthropic); default: the input price. */
                cacheWritePerMillion: z.number().min(0).optional(),
              })
              .strict(),
          )
          .default({}),
      })
      .strict()
      .default({}),
    /** Provider prompt caching: what the proxy adds to upstream requests so providers can reuse their prompt prefixes. */
    promptCache: z
      .object({
        /** Anthropic `cache_control` breakpoints per namespace (`*`: every namespace); default off. */
        cacheControl: z.record(z.string(), z.enum(['off', 'system', 'system+tools', 'auto'])).default({}),
        /** Lifetime of injected breakpoints per namespace (`*`: every namespace); default 5m. */
        cacheControlTtl: z.record(z.string(), z.enum(['5m', '1h'])).default({}),
        /** Set OpenAI's `prompt_cache_key` (tenant + stable-prefix hash) when the client did not. */
        openaiPromptCacheKey: z.boolean().default(true),
      })
      .strict()
      .default({}),
    /** Optional per-tenant request rate limit on every endpoint (token bucket; 429 + Retry-After); purges, deletes and invalidations have their own bucket. */
    rateLimit: z
      .object({
        /** Sustained requests per second per tenant; unset = no limit. */
        requestsPerSecond: z.number().positive().optional(),
        /** Bucket size (requests allowed at once); default: requestsPerSecond rounded up. */
        burst: z.number().int().positive().optional(),
        tenants: z
          .record(
            z.string(),
            z
              .object({ requestsPerSecond: z.number().positive(), burst: z.number().int().positive().optional() })
              .strict(),
          )
          .default({}),
      })
      .strict()
      .default({}),
    /** Shared caches in front of the gateway (public namespaces). */
    cdn: z
      .object({
        /** POSTed `{surrogateKeys, tenant}` when a purge may touch a public namespace's entries (retried, never blocking the purge). */
        purgeUrl: z.string().url().optional(),
        /** Attempts per webhook call (with exponential backoff from 200 ms). */
        purgeAttempts: z.number().int().positive().default(4),
      })
      .strict()
      .default({}),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
        /** `json`: one JSON object per line (pino); `pretty`: a start-up banner and one readable line per entry. Unset: pretty on a terminal, JSON otherwise. */
        format: z.enum(['json', 'pretty']).optional(),
        /** One info line per HTTP request (method, path, status, cache status, tier, ms, tenant); `off` drops them. */
        access: z.enum(['on', 'off']).default('on'),
      })
      .strict()
      .default({}),
    /** OpenTelemetry traces over OTLP/HTTP (JSON); off unless an endpoint is set. */
    tracing: z
      .object({
        /** OTLP base URL (`http://collector:4318`); spans are POSTed to `<endpoint>/v1/traces`. */
        endpoint: z.string().url().optional(),
        /** `OTEL_SDK_DISABLED=true`: no traces even with an endpoint. */
        disabled: z.boolean().default(false),
      })
      .strict()
      .default({}),
  })
  .strict();

export type StrataConfig = z.infer<typeof strataConfigSchema>;
export type StrataConfigInput = z.input<typeof strataConfigSchema>;
