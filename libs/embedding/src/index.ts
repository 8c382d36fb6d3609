export { EMBEDDING_CACHE, EMBEDDING_PROVIDER } from './embedding-provider.port';
export type { EmbeddingCache, EmbeddingProvider } from './embedding-provider.port';
export { EmbeddingError, EmbeddingErrorCode, withoutStack } from './errors/embedding-error';
export type { EmbeddingErrorDetails } from './errors/embedding-error';
export { embeddingCacheKey } from './service/embedding-cache-key';
export { EmbeddingService } from './service/embedding.service';
export type {
  EmbeddingResult,
  EmbeddingServiceOptions,
  EmbeddingServiceStats,
} from './service/embedding-service.options';
export type { EmbeddingTelemetry } from './service/embedding-telemetry';
export { vectorToArray } from './vector-array';
export type { WordVectors } from './words/word-vectors.port';
export { LOCAL_EMBEDDING_MODEL, SENTENCE_ENCODER_MODEL } from './words/local-model';
export { SentenceEncoder } from './words/sentence-encoder';
export { canonicalNumber, isNumberToken, tokenize, tokenizeCased } from './words/tokenizer';
