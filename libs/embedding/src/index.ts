export { EMBEDDING_CACHE, EMBEDDING_PROVIDER } from './embedding-provider.port';
export type { EmbeddingCache, EmbeddingProvider } from './embedding-provider.port';
