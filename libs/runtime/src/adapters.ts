import { type Provider } from '@nestjs/common';
import { EXACT_STORE, type ExactStore, MATCH_VERIFIER, VECTOR_INDEX, type VectorIndex } from '@strata/cache-core';
import { type StrataConfig } from '@strata/config';
import { EMBEDDING_CACHE, EMBEDDING_PROVIDER, type EmbeddingCache, type EmbeddingProvider, LocalEmbeddingProvider, OpenAiCompatibleProvider } from '@strata/embedding';
import { SemanticVerifier } from '@strata/semantic';
import { MemoryEmbeddingCache, MemoryExactStore, MemoryVectorIndex } from '@strata/store-memory';

/** Something the runtime opened and must close on shutdown. */
export type Closer = () => Promise<void>;

export interface BuiltAdapters {
  readonly providers: Provider[];
  readonly closers: Closer[];
}

/** L2 and L3 for the cache service: Redis / Qdrant when configured, in-memory otherwise. */
export async function cacheAdapters(config: StrataConfig): Promise<BuiltAdapters> {
  const closers: Closer[] = [];
  const exact: ExactStore = new MemoryExactStore({ maxEntries: config.cache.memoryMaxEntries });
  const vectors: VectorIndex = new MemoryVectorIndex({ maxEntries: config.cache.memoryMaxEntries });
  const verifier = await SemanticVerifier.load();
  return {
    providers: [
      { provide: EXACT_STORE, useValue: exact },
      { provide: VECTOR_INDEX, useValue: vectors },
      { provide: MATCH_VERIFIER, useValue: verifier },
    ],
    closers,
  };
}

/** The embedding provider and the embedding cache for the embedding service. */
export async function embeddingAdapters(config: StrataConfig): Promise<BuiltAdapters> {
  const closers: Closer[] = [];
  const { embedding } = config;
  let provider: EmbeddingProvider;
  switch (embedding.provider) {
    case 'local':
      provider = await LocalEmbeddingProvider.load();
      break;
    case 'openai':
      if (!embedding.url) throw new Error('EMBEDDING_PROVIDER=openai needs EMBEDDING_URL (an OpenAI-compatible base URL)');
      provider = new OpenAiCompatibleProvider({
        url: embedding.url,
        model: embedding.model,
        ...(embedding.apiKey === undefined ? {} : { apiKey: embedding.apiKey }),
        ...(embedding.dimensions === undefined ? {} : { dimensions: embedding.dimensions }),
        timeoutMs: embedding.timeoutMs,
        maxRetries: embedding.maxRetries,
      });
      break;
  }
  const cache: EmbeddingCache = new MemoryEmbeddingCache({ maxEntries: 50_000 });
  return {
    providers: [
      { provide: EMBEDDING_PROVIDER, useValue: provider },
      { provide: EMBEDDING_CACHE, useValue: cache },
    ],
    closers,
  };
}
