export { EMBEDDING_CACHE, EMBEDDING_PROVIDER } from './embedding-provider.port';
export type { EmbeddingCache, EmbeddingProvider } from './embedding-provider.port';
export { EmbeddingError, EmbeddingErrorCode } from './errors/embedding-error';
export type { EmbeddingErrorDetails } from './errors/embedding-error';
export { embeddingsEndpoint } from './http/embeddings-endpoint';
export { OpenAiCompatibleProvider } from './http/openai-compatible.provider';
export type { OpenAiCompatibleProviderOptions, ProviderRetryEvent } from './http/openai-compatible-provider.options';
export { EMBEDDING_KEY_SCHEME, embeddingCacheKey } from './service/embedding-cache-key';
export { EmbeddingService } from './service/embedding.service';
export type {
  EmbeddingResult,
  EmbeddingServiceOptions,
  EmbeddingServiceStats,
} from './service/embedding-service.options';
export { NO_EMBEDDING_TELEMETRY } from './service/embedding-telemetry';
export type { EmbeddingTelemetry } from './service/embedding-telemetry';
export {
  LOCAL_EMBEDDING_DIMENSIONS,
  LOCAL_EMBEDDING_MODEL,
  LocalEmbeddingProvider,
} from './local/local-embedding.provider';
export type { LocalEmbeddingOptions } from './local/local-embedding.provider';
export { SentenceEncoder } from './local/sentence-encoder';
export { canonicalNumber, isNumberToken, tokenize, tokenizeCased } from './local/tokenizer';
export type { CasedTokens, KnownWord } from './local/tokenizer';
export { WordVectors } from './local/word-vectors';
export { DEFAULT_MAX_WORDS, loadWordVectors } from './local/word-vectors.loader';
export type { WordVectorsOptions } from './local/word-vectors.loader';
export { WordNet, loadWordNet } from './local/wordnet';
export type { WordNetOptions } from './local/wordnet';
