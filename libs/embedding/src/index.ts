export { EMBEDDING_CACHE, EMBEDDING_PROVIDER } from './embedding-provider.port';
export type { EmbeddingCache, EmbeddingProvider } from './embedding-provider.port';
export { EmbeddingError, EmbeddingErrorCode } from './errors/embedding-error';
export type { EmbeddingErrorDetails } from './errors/embedding-error';
export { embeddingsEndpoint } from './http/embeddings-endpoint';
export { OpenAiCompatibleProvider } from './http/openai-compatible.provider';
export type { OpenAiCompatibleProviderOptions, ProviderRetryEvent } from './http/openai-compatible-provider.options';
