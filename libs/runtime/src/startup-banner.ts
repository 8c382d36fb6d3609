import { type StrataConfig } from '@strata/config';
import { type LogFormat } from '@strata/observability';
import { type ServiceName } from './transport-factory';

/** The log format in force: `STRATA_LOG_FORMAT`, else pretty on a terminal and JSON lines otherwise. */
export function logFormat(config: StrataConfig, stdoutIsTty: boolean): LogFormat {
  return config.log.format ?? (stdoutIsTty ? 'pretty' : 'json');
}

function host(url: string): string {
  return new URL(url).host;
}

function stores(config: StrataConfig): string {
  const redis =
    config.redis.clusterNodes.length > 0
      ? `Redis Cluster (${config.redis.clusterNodes.length} nodes)`
      : config.redis.url
        ? `Redis (${host(config.redis.url)})`
        : undefined;
  const l2 = redis ?? 'in-memory';
  const l3 = config.qdrant.url ? `Qdrant (${host(config.qdrant.url)})` : 'in-process vector index';
  const embeddings =
    config.embedding.provider === 'local'
      ? `local ${config.embedding.model} model`
      : `${config.embedding.model} at ${config.embedding.url ? host(config.embedding.url) : 'the upstream'}`;
  return `L1 in-process · L2 ${l2} · L3 ${l3} · embeddings: ${embeddings}`;
}

function upstream(config: StrataConfig): string[] {
  const targets = [
    ...(config.upstream.url ? [`${host(config.upstream.url)} (UPSTREAM_URL)`] : []),
    ...(config.upstream.routes.length > 0 ? [`${config.upstream.routes.length} model route(s)`] : []),
  ];
  if (targets.length > 0) return [`upstream   ${targets.join(', ')}; misses are forwarded there and stored`];
  return [
    'upstream   none configured: /v1/chat/completions answers cache hits, and a miss answers 502 upstream_error',
    '           ("no upstream is configured"). Set UPSTREAM_URL=https://api.openai.com/v1 (and UPSTREAM_API_KEY)',
    '           to forward misses; /v1/cache/* works without one.',
  ];
}

function access(config: StrataConfig): string {
  if (config.auth.apiKeys.length === 0)
    return `access     no API keys: every caller is tenant "${config.auth.defaultTenant}"`;
  return `access     ${config.auth.apiKeys.length} tenant key(s) (STRATA_API_KEYS): send X-Strata-Key or Authorization: Bearer`;
}

/** Where a client on this machine reaches a server bound to `url` (every interface → loopback). */
function localUrl(url: string): string {
  return url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:');
}

function tryNext(config: StrataConfig, url: string): string[] {
  const base = localUrl(url);
  const key = config.auth.apiKeys.length > 0 ? ` -H 'x-strata-key: <your key>'` : '';
  const ask = `"model":"gpt-4o-mini","messages":[{"role":"user","content":"How long do I have to return shoes?"}],"params":{"temperature":0}`;
  return [
    'try        # store an answer, then look it up (an exact hit; rephrase the question for a semantic one)',
    `           curl -s ${base}/v1/cache/entries${key} -H 'content-type: application/json' -d '{${ask},"response":{"answer":"30 days"}}'`,
    `           curl -s ${base}/v1/cache/lookup${key} -H 'content-type: application/json' -d '{${ask}}'`,
    `more       ${base}/openapi.json (the API) · ${base}/v1/cache/stats · ${base}/metrics · Ctrl-C stops`,
  ];
}

/**
 * What a person who just ran `npm start` needs to read: where it really listens, the mode, the stores, whether
 * misses can reach an LLM (and what they answer otherwise), and a first request to try. The first line is
 * the one tools wait for (`listening on http://…`).
 */
export function startupBanner(service: ServiceName, config: StrataConfig, url: string, format: LogFormat): string {
  const mode = config.mode === 'embedded' ? 'embedded' : 'distributed';
  const first = `Strata ${mode === 'embedded' ? '' : `${service} `}(${mode}) listening on ${url}`;
  if (format === 'json') return `${first}\n`;
  const lines = [first];
  lines.push(
    mode === 'embedded'
      ? 'mode       embedded: gateway, cache, embedding and invalidation services in this process, no Kafka'
      : `mode       distributed: the ${service} service, over Kafka (${config.kafka.brokers.join(', ')})`,
  );
  if (mode === 'embedded' || service === 'cache') lines.push(`stores     ${stores(config)}`);
  if (service === 'gateway') lines.push(...upstream(config), access(config), ...tryNext(config, url));
  lines.push(`logs       ${config.log.level}, readable (STRATA_LOG_FORMAT=json for JSON lines)`);
  return `${lines.join('\n')}\n\n`;
}
