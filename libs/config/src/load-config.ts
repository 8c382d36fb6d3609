import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type StrataConfig, type StrataConfigInput, strataConfigSchema } from './strata-config';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

/** A numeric variable (integer or not: the schema says which it must be). */
function num(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return value;
}

function str(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

function list(env: Env, name: string): string[] | undefined {
  return str(env, name)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * `STRATA_API_KEYS`: comma-separated `tenant=key` or `tenant=sha256:<hex>` pairs. Plain keys are hashed
 * here and the plain text is dropped: only hashes are kept in memory.
 */
function apiKeys(env: Env): { tenant: string; sha256: string }[] | undefined {
  return list(env, 'STRATA_API_KEYS')?.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError('STRATA_API_KEYS entries must look like tenant=key or tenant=sha256:<hex>');
    const tenant = pair.slice(0, eq);
    const key = pair.slice(eq + 1);
    const sha256 = key.startsWith('sha256:')
      ? key.slice(7).toLowerCase()
      : createHash('sha256').update(key).digest('hex');
    return { tenant, sha256 };
  });
}

/** `STRATA_ADMIN_KEYS`: comma-separated keys or `sha256:<hex>`; hashed here like the API keys. */
function adminKeys(env: Env): string[] | undefined {
  return list(env, 'STRATA_ADMIN_KEYS')?.map((key) =>
    key.startsWith('sha256:') ? key.slice(7).toLowerCase() : createHash('sha256').update(key).digest('hex'),
  );
}

/** `STRATA_TRUST_PROXY`: `true`/`false`, a hop count, or comma-separated addresses/CIDRs of the proxies to trust. */
function trustProxy(env: Env): boolean | number | string[] | undefined {
  const raw = str(env, 'STRATA_TRUST_PROXY');
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^\d+$/.test(raw)) return Number(raw);
  return list(env, 'STRATA_TRUST_PROXY');
}

/** Comma-separated `name=value` pairs (e.g. `UPSTREAM_ROUTES=gpt-*=https://api.openai.com/v1`): split at the last `=`. */
function pairs(env: Env, name: string): [string, string][] | undefined {
  return list(env, name)?.map((pair) => {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0 || eq === pair.length - 1)
      throw new ConfigError(`${name} entries must look like name=value, got "${pair}"`);
    return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
  });
}

/** `UPSTREAM_ROUTES`: comma-separated `model-pattern=base-url`; several patterns for one URL are separate entries. */
function upstreamRoutes(env: Env): { models: string[]; url: string }[] | undefined {
  return list(env, 'UPSTREAM_ROUTES')?.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`UPSTREAM_ROUTES entries must look like model-pattern=url, got "${pair}"`);
    return { models: [pair.slice(0, eq).trim()], url: pair.slice(eq + 1).trim() };
  });
}

/**
 * `STRATA_PRICES`: comma-separated `model=input:output[:cachedInput[:cacheWrite]]`, USD per 1M tokens
 * (e.g. `gpt-4o-mini=0.15:0.6:0.075`, `claude-sonnet-*=3:15:0.3:3.75`).
 */
function prices(env: Env):
  | Record<
      string,
      {
        inputPerMillion: number;
        outputPerMillion: number;
        cachedInputPerMillion?: number;
        cacheWritePerMillion?: number;
      }
    >
  | undefined {
  const entries = pairs(env, 'STRATA_PRICES');
  if (!entries) return undefined;
  return Object.fromEntries(
    entries.map(([model, price]) => {
      const parts = price.split(':').map(Number);
      const [input, output, cachedInput, cacheWrite] = parts;
      if (
        parts.length < 2 ||
        parts.length > 4 ||
        input === undefined ||
        output === undefined ||
        !parts.every(Number.isFinite)
      ) {
        throw new ConfigError(
          `STRATA_PRICES entries must look like model=input:output[:cachedInput[:cacheWrite]] (USD per 1M tokens), got "${model}=${price}"`,
        );
      }
      return [
        model,
        {
          inputPerMillion: input,
          outputPerMillion: output,
          ...(cachedInput === undefined ? {} : { cachedInputPerMillion: cachedInput }),
          ...(cacheWrite === undefined ? {} : { cacheWritePerMillion: cacheWrite }),
        },
      ];
    }),
  );
}

/** `namespace=value` pairs (`*` for every namespace), e.g. `STRATA_PROMPT_CACHE_CONTROL=support=auto,*=system`. */
function byNamespace(env: Env, name: string): Record<string, string> | undefined {
  const entries = pairs(env, name);
  return entries && Object.fromEntries(entries);
}

/** `namespace=N` pairs of whole numbers (`*` for every namespace), e.g. `STRATA_STALE_WHILE_REVALIDATE=swr=60,*=0`. */
function integersByNamespace(env: Env, name: string, unit: string): Record<string, number> | undefined {
  const entries = pairs(env, name);
  if (!entries) return undefined;
  return Object.fromEntries(
    entries.map(([namespace, raw]) => {
      const value = Number(raw);
      if (!Number.isInteger(value))
        throw new ConfigError(`${name} entries must look like namespace=${unit}, got "${namespace}=${raw}"`);
      return [namespace, value];
    }),
  );
}

function bool(env: Env, name: string): boolean | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false, got "${raw}"`);
  return raw === 'true';
}

function prune(value: unknown): unknown {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const pruned = prune(v);
    if (
      pruned !== undefined &&
      !(typeof pruned === 'object' && pruned !== null && !Array.isArray(pruned) && Object.keys(pruned).length === 0)
    ) {
      out[k] = pruned;
    }
  }
  return out;
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      b && typeof b === 'object' && !Array.isArray(b) && v && typeof v === 'object' && !Array.isArray(v)
        ? merge(b as Json, v as Json)
        : v;
  }
  return out;
}

/** The environment variables Strata reads, mapped onto the config tree (see README, "Configuration"). */
function fromEnv(env: Env): Json {
  const sasl = str(env, 'KAFKA_SASL_MECHANISM');
  return prune({
    mode: str(env, 'STRATA_MODE'),
    http: {
      host: str(env, 'HOST'),
      port: num(env, 'PORT'),
      metricsPort: num(env, 'STRATA_METRICS_PORT'),
      trustProxy: trustProxy(env),
      bodyLimitBytes: num(env, 'STRATA_BODY_LIMIT_BYTES'),
      hitReplays: bool(env, 'STRATA_HIT_REPLAYS'),
    },
    healthPort: num(env, 'HEALTH_PORT'),
    healthHost: str(env, 'HEALTH_HOST'),
    auth: {
      apiKeys: apiKeys(env),
      adminKeys: adminKeys(env),
      defaultTenant: str(env, 'STRATA_DEFAULT_TENANT'),
      allowKeylessPublic: bool(env, 'STRATA_ALLOW_KEYLESS_PUBLIC'),
      keylessWrites: bool(env, 'STRATA_KEYLESS_WRITES'),
      clientUpstreamKeys: bool(env, 'STRATA_CLIENT_UPSTREAM_KEYS'),
      failuresPerMinute: num(env, 'STRATA_AUTH_FAILURES_PER_MINUTE'),
    },
    kafka: {
      brokers: list(env, 'KAFKA_BROKERS'),
      clientId: str(env, 'KAFKA_CLIENT_ID'),
      ssl: str(env, 'KAFKA_SSL') === undefined ? undefined : str(env, 'KAFKA_SSL') === 'true',
      sasl: sasl
        ? {
            mechanism: sasl,
            username: str(env, 'KAFKA_SASL_USERNAME') ?? '',
            password: str(env, 'KAFKA_SASL_PASSWORD') ?? '',
          }
        : undefined,
      partitions: num(env, 'KAFKA_TOPIC_PARTITIONS'),
      replicationFactor: num(env, 'KAFKA_REPLICATION_FACTOR'),
      requestTimeoutMs: num(env, 'STRATA_CACHE_TIMEOUT_MS'),
      sessionTimeoutMs: num(env, 'KAFKA_SESSION_TIMEOUT_MS'),
      instanceId: str(env, 'STRATA_INSTANCE_ID'),
    },
    redis: {
      url: str(env, 'REDIS_URL'),
      clusterNodes: list(env, 'REDIS_CLUSTER_NODES')?.map((node) => (node.includes('://') ? node : `redis://${node}`)),
      commandTimeoutMs: num(env, 'REDIS_COMMAND_TIMEOUT_MS'),
    },
    qdrant: { url: str(env, 'QDRANT_URL'), apiKey: str(env, 'QDRANT_API_KEY') },
    embedding: {
      provider: str(env, 'EMBEDDING_PROVIDER'),
      url: str(env, 'EMBEDDING_URL'),
      model: str(env, 'EMBEDDING_MODEL'),
      apiKey: str(env, 'EMBEDDING_API_KEY'),
      dimensions: num(env, 'EMBEDDING_DIMENSIONS'),
      threads: num(env, 'EMBEDDING_THREADS'),
      threadNice: num(env, 'EMBEDDING_THREAD_NICE'),
      calibrationFile: str(env, 'STRATA_SEMANTIC_CALIBRATION'),
    },
    cache: {
      l1MaxEntries: num(env, 'STRATA_L1_MAX_ENTRIES'),
      l1MaxBytes: num(env, 'STRATA_L1_MAX_BYTES'),
      l1MaxTtlSeconds: num(env, 'STRATA_L1_MAX_TTL_SECONDS'),
      popularityFlushMs: num(env, 'STRATA_POPULARITY_FLUSH_MS'),
      memoryMaxEntries: num(env, 'STRATA_MEMORY_MAX_ENTRIES'),
      memoryAnn: {
        minEntries: num(env, 'STRATA_MEMORY_ANN_MIN_ENTRIES'),
        m: num(env, 'STRATA_MEMORY_HNSW_M'),
        efSearch: num(env, 'STRATA_MEMORY_HNSW_EF_SEARCH'),
      },
      memoryMaxBytes: num(env, 'STRATA_MEMORY_MAX_BYTES'),
      generationFieldsPerTenant: num(env, 'STRATA_GENERATION_FIELDS_PER_TENANT'),
      defaultTtlSeconds: num(env, 'STRATA_DEFAULT_TTL_SECONDS'),
      maxTtlSeconds: num(env, 'STRATA_MAX_TTL_SECONDS'),
      similarityThreshold: num(env, 'STRATA_SIMILARITY_THRESHOLD'),
      temperaturePolicy: str(env, 'STRATA_TEMPERATURE_POLICY'),
      userIdSalt: str(env, 'STRATA_USER_ID_SALT'),
    },
    verification: {
      feedback: bool(env, 'STRATA_HIT_FEEDBACK'),
      wrongsToPurge: num(env, 'STRATA_FEEDBACK_WRONGS_TO_PURGE'),
      judge: {
        url: str(env, 'STRATA_VERIFIER_URL'),
        model: str(env, 'STRATA_VERIFIER_MODEL'),
        apiKey: str(env, 'STRATA_VERIFIER_API_KEY'),
        timeoutMs: num(env, 'STRATA_VERIFIER_TIMEOUT_MS'),
        callsPerSecond: num(env, 'STRATA_VERIFIER_CALLS_PER_SECOND'),
        lowerBound: num(env, 'STRATA_VERIFIER_LOWER_BOUND'),
      },
      shadow: {
        callsPerSecond: num(env, 'STRATA_SHADOW_AUDITS_PER_SECOND'),
        concurrency: num(env, 'STRATA_SHADOW_AUDIT_CONCURRENCY'),
        agreement: num(env, 'STRATA_SHADOW_AUDIT_AGREEMENT'),
      },
    },
    upstream: {
      url: str(env, 'UPSTREAM_URL'),
      apiKey: str(env, 'UPSTREAM_API_KEY'),
      apiKeyHeader: str(env, 'UPSTREAM_API_KEY_HEADER'),
      routes: upstreamRoutes(env),
      timeoutMs: num(env, 'UPSTREAM_TIMEOUT_MS'),
      streamIdleTimeoutMs: num(env, 'UPSTREAM_STREAM_IDLE_TIMEOUT_MS'),
      streamUsage: bool(env, 'UPSTREAM_STREAM_USAGE'),
      staleWhileRevalidateSeconds: integersByNamespace(env, 'STRATA_STALE_WHILE_REVALIDATE', 'seconds'),
      hedgeAfterMs: integersByNamespace(env, 'STRATA_HEDGE_AFTER_MS', 'milliseconds'),
      storeQueue: { capacity: num(env, 'STRATA_STORE_QUEUE_CAPACITY') },
      anthropic: { url: str(env, 'ANTHROPIC_UPSTREAM_URL'), apiKey: str(env, 'ANTHROPIC_API_KEY') },
    },
    promptCache: {
      cacheControl: byNamespace(env, 'STRATA_PROMPT_CACHE_CONTROL'),
      cacheControlTtl: byNamespace(env, 'STRATA_PROMPT_CACHE_TTL'),
      openaiPromptCacheKey: bool(env, 'STRATA_OPENAI_PROMPT_CACHE_KEY'),
    },
    pricing: { models: prices(env) },
    rateLimit: { requestsPerSecond: num(env, 'STRATA_RATE_LIMIT_RPS'), burst: num(env, 'STRATA_RATE_LIMIT_BURST') },
    cdn: { purgeUrl: str(env, 'STRATA_CDN_PURGE_URL') },
    log: { level: str(env, 'LOG_LEVEL'), format: str(env, 'STRATA_LOG_FORMAT'), access: str(env, 'STRATA_ACCESS_LOG') },
    tracing: { endpoint: str(env, 'OTEL_EXPORTER_OTLP_ENDPOINT'), disabled: bool(env, 'OTEL_SDK_DISABLED') },
  }) as Json;
}

function formatIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `  - ${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('\n');
}

/**
 * Parses and validates the whole configuration once, at boot: the JSON file named by `STRATA_CONFIG`
 * (if any), overlaid by environment variables, overlaid by `overrides` (tests). Throws a readable
 * `ConfigError` listing every problem.
 */
export function loadConfig(env: Env = process.env, overrides: StrataConfigInput = {}): StrataConfig {
  let file: Json = {};
  const path = str(env, 'STRATA_CONFIG');
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as Json;
    } catch (err) {
      throw new ConfigError(`STRATA_CONFIG=${path} could not be read as JSON: ${(err as Error).message}`);
    }
  }
  const merged = merge(merge(file, fromEnv(env)), overrides);
  const parsed = strataConfigSchema.safeParse(withDefaultHost(merged));
  if (!parsed.success) throw new ConfigError(`Invalid Strata configuration:\n${formatIssues(parsed.error)}`);
  const problems = unworkable(parsed.data, merged);
  if (problems.length > 0)
    throw new ConfigError(`Strata cannot work with this configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return parsed.data;
}

/** No `HOST`: every interface when API keys protect the gateway, else loopback only. */
function withDefaultHost(merged: Json): Json {
  const http = (merged['http'] ?? {}) as Json;
  if (http['host'] !== undefined) return merged;
  const keys = ((merged['auth'] ?? {}) as Json)['apiKeys'];
  return { ...merged, http: { ...http, host: Array.isArray(keys) && keys.length > 0 ? '0.0.0.0' : '127.0.0.1' } };
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./.test(host);
}

/**
 * The models the local embedding provider runs: `LOCAL_PROVIDER_MODELS` in `@strata/embedding-local`, whose spec holds
 * this copy to it (config depends on no lib).
 */
const LOCAL_MODELS: readonly string[] = ['use-lite', 'glove-wiki-100d'];

/** Configurations that parse but cannot work, each naming what to set. */
function unworkable(config: StrataConfig, input: Json): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const { tenant, sha256 } of config.auth.apiKeys) {
    const owner = owners.get(sha256);
    if (owner !== undefined && owner !== tenant)
      problems.push(
        `STRATA_API_KEYS: tenants "${owner}" and "${tenant}" have the same key; every key must name one tenant`,
      );
    owners.set(sha256, tenant);
  }
  for (const sha256 of config.auth.adminKeys) {
    if (owners.has(sha256))
      problems.push(
        `STRATA_ADMIN_KEYS: an admin key is also the API key of tenant "${owners.get(sha256)}"; use a separate key`,
      );
  }
  if (config.auth.apiKeys.length > 0 && !config.auth.clientUpstreamKeys) {
    const keyless: string[] = [];
    if (config.upstream.url !== undefined && config.upstream.apiKey === undefined)
      keyless.push(`UPSTREAM_URL (${new URL(config.upstream.url).host}): set UPSTREAM_API_KEY`);
    config.upstream.routes.forEach((route, i) => {
      if (route.apiKey === undefined)
        keyless.push(`UPSTREAM_ROUTES / upstream.routes[${i}] (${route.models.join(' ')}): give the route an apiKey`);
    });
    const anthropic = ((input['upstream'] ?? {}) as Json)['anthropic'] as Json | undefined;
    if (anthropic?.['url'] !== undefined && config.upstream.anthropic.apiKey === undefined)
      keyless.push('ANTHROPIC_UPSTREAM_URL: set ANTHROPIC_API_KEY');
    for (const route of keyless) {
      problems.push(
        `STRATA_API_KEYS is set (clients send Strata keys, not upstream keys), but a route has no upstream key, so it would call the upstream without credentials: ${route} (or STRATA_CLIENT_UPSTREAM_KEYS=true to forward the client's own key)`,
      );
    }
  }
  if (config.auth.apiKeys.length === 0 && !isLoopbackHost(config.http.host) && !config.auth.allowKeylessPublic) {
    problems.push(
      `HOST=${config.http.host} without STRATA_API_KEYS: anyone who reaches the port would read and write the cache as the default tenant; set STRATA_API_KEYS, bind 127.0.0.1, or opt in with STRATA_ALLOW_KEYLESS_PUBLIC=true`,
    );
  }
  for (const [name, namespace] of Object.entries(config.cache.namespaces)) {
    if (namespace.scope === 'user' && config.cache.userIdSalt === undefined)
      problems.push(
        `namespace "${name}" has scope "user" but no salt hashes its user ids: set STRATA_USER_ID_SALT (the same on every service)`,
      );
    if (namespace.scope === 'user' && namespace.public === true)
      problems.push(`namespace "${name}" cannot be both "public" and scope "user": a user's answers are never public`);
    if (namespace.scope === 'user' && namespace.warmOnVersionBump !== undefined)
      problems.push(
        `namespace "${name}" cannot both warm on version bumps and have scope "user": warming would keep users' questions beside their entries`,
      );
  }
  if (config.embedding.provider === 'local' && !LOCAL_MODELS.includes(config.embedding.model))
    problems.push(
      `EMBEDDING_MODEL=${config.embedding.model} is not a local model: with EMBEDDING_PROVIDER=local use ${LOCAL_MODELS.join(' or ')} (or EMBEDDING_PROVIDER=openai with EMBEDDING_URL for a served model)`,
    );
  if (
    config.http.metricsPort !== undefined &&
    config.http.metricsPort !== 0 &&
    config.http.metricsPort === config.http.port
  ) {
    problems.push('STRATA_METRICS_PORT must differ from PORT');
  }
  return problems;
}
