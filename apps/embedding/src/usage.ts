/** What `node dist/apps/embedding/src/main.js --help` prints. */
export const EMBEDDING_USAGE = `Strata embedding service: turns questions into vectors for the semantic tier, over Kafka, with a cache.

Usage: node dist/apps/embedding/src/main.js   (distributed mode; \`npm start\` runs it inside the gateway)
       node dist/apps/embedding/src/main.js --help | -h   this text

Configured by environment variables (all of them: docs/configuration.md), for example:
  STRATA_MODE=distributed        this process is the embedding service only
  KAFKA_BROKERS=kafka:9092       where the embedding requests arrive
  EMBEDDING_PROVIDER=local       local (offline models) or openai (any OpenAI-compatible /v1/embeddings)
  EMBEDDING_URL=https://...      base URL for openai
  EMBEDDING_MODEL=use-lite       model name; local: use-lite (sentence encoder) or glove-wiki-100d (word vectors)
  EMBEDDING_API_KEY=...          bearer key of the provider
  REDIS_URL=redis://host:6379    the embedding cache in Redis instead of memory
  HEALTH_PORT=9464               /health/live, /health/ready and /metrics
  LOG_LEVEL=info                 fatal, error, warn, info, debug, trace, silent

SIGTERM or Ctrl-C drains and stops.
`;
