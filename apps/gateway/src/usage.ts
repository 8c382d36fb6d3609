/** What `npm start -- --help` (or `node dist/apps/gateway/src/main.js --help`) prints. */
export const GATEWAY_USAGE = `Strata gateway: a layered cache for LLM traffic.

Usage: npm start                              (or: node dist/apps/gateway/src/main.js, npx strata serve)
       npm start -- --help | -h               this text

Configured by environment variables (all of them: docs/configuration.md), for example:
  PORT=8080                      HTTP port (0: a free one); the start-up line prints the address really bound
  HOST=127.0.0.1                 interface; 0.0.0.0 by default once STRATA_API_KEYS is set
  STRATA_MODE=embedded           embedded: all four services in this process, in-memory stores;
                                 distributed: this process is the gateway only, over Kafka (KAFKA_BROKERS)
  UPSTREAM_URL=https://api.openai.com/v1   where /v1/chat/completions forwards misses (none: misses answer 502)
  UPSTREAM_API_KEY=sk-...        the key sent upstream (else the client's own Authorization is forwarded)
  ANTHROPIC_API_KEY=...          the key /v1/messages sends to Anthropic
  STRATA_API_KEYS=acme=key1,...  tenants and their keys (none: one tenant, "default", loopback only)
  STRATA_ADMIN_KEYS=key          operator keys (/metrics, every tenant's stats)
  REDIS_URL=redis://host:6379    L2 and the embedding cache in Redis instead of memory
  QDRANT_URL=http://host:6333    L3 (semantic) in Qdrant instead of memory
  STRATA_CONFIG=strata.json      a JSON config file (namespaces, routes, prices); variables win over it
  LOG_LEVEL=info                 fatal, error, warn, info, debug, trace, silent
  STRATA_LOG_FORMAT=pretty|json  default: pretty (banner + readable lines) on a terminal, JSON lines otherwise
  OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318   OpenTelemetry traces over OTLP/HTTP (off when unset)

Once started: GET /openapi.json describes the API; GET /health/ready, /metrics; Ctrl-C drains and stops.
`;
