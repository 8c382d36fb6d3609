/** What `node dist/apps/cache/src/main.js --help` prints. */
export const CACHE_USAGE = `Strata cache service: L2 (exact) and L3 (semantic) lookups and stores, purges, for the gateways over Kafka.

Usage: node dist/apps/cache/src/main.js       (distributed mode; \`npm start\` runs it inside the gateway)
       node dist/apps/cache/src/main.js --help | -h   this text

Configured by environment variables (all of them: docs/configuration.md), for example:
  STRATA_MODE=distributed        this process is the cache service only
  KAFKA_BROKERS=kafka:9092       where the gateways' requests and the purge events arrive
  REDIS_URL=redis://host:6379    L2 and purge generations in Redis (REDIS_CLUSTER_NODES for a cluster)
  QDRANT_URL=http://host:6333    L3 (semantic) in Qdrant instead of memory
  STRATA_SIMILARITY_THRESHOLD=0.94   semantic hit threshold
  STRATA_CONFIG=strata.json      a JSON config file (namespaces, their policies and versions)
  HEALTH_PORT=9464               /health/live, /health/ready and /metrics
  LOG_LEVEL=info                 fatal, error, warn, info, debug, trace, silent

SIGTERM or Ctrl-C drains and stops.
`;
