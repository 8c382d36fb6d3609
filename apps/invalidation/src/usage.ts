/** What `node dist/apps/invalidation/src/main.js --help` prints. */
export const INVALIDATION_USAGE = `Strata invalidation service: turns data-change events into purges of every tier, with retries and dead letters.

Usage: node dist/apps/invalidation/src/main.js   (distributed mode; \`npm start\` runs it inside the gateway)
       node dist/apps/invalidation/src/main.js --help | -h   this text

Configured by environment variables (all of them: docs/configuration.md), for example:
  STRATA_MODE=distributed        this process is the invalidation service only
  KAFKA_BROKERS=kafka:9092       where the data-change events arrive and the purges go out
  REDIS_URL=redis://host:6379    processed-event ids (exactly-once purges) in Redis instead of memory
  HEALTH_PORT=9464               /health/live, /health/ready and /metrics
  LOG_LEVEL=info                 fatal, error, warn, info, debug, trace, silent

SIGTERM or Ctrl-C drains and stops.
`;
