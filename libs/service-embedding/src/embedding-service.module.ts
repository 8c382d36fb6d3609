import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import {
  EMBEDDING_CACHE,
  EMBEDDING_PROVIDER,
  type EmbeddingCache,
  type EmbeddingProvider,
  EmbeddingService,
} from '@strata/embedding';
import { DirectEmbeddings } from './direct-embeddings';
import { EmbedRequests } from './embed-requests';
import { EmbeddingMessageController } from './embedding.message-controller';
import { MetricsEmbeddingTelemetry } from './metrics-embedding-telemetry';
import { HealthChecks } from '@strata/observability';

export interface EmbeddingServiceModuleOptions {
  readonly config: StrataConfig;
  /** Must bind EMBEDDING_PROVIDER and EMBEDDING_CACHE (chosen by the runtime). */
  readonly adapters: Provider[];
}

/** The embedding service: vectors for texts, each (model, dimension, text) embedded once. */
@Module({})
export class EmbeddingServiceModule {
  static register(options: EmbeddingServiceModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: EmbeddingServiceModule,
      controllers: [EmbeddingMessageController],
      providers: [
        ...options.adapters,
        { provide: STRATA_CONFIG, useValue: config },
        EmbedRequests,
        DirectEmbeddings,
        {
          provide: EmbeddingService,
          inject: [EMBEDDING_PROVIDER, EMBEDDING_CACHE],
          useFactory: (provider: EmbeddingProvider, cache: EmbeddingCache) => {
            const telemetry = new MetricsEmbeddingTelemetry();
            HealthChecks.shared().register('embedding-provider', () => telemetry.providerHealth(), { critical: false });
            return new EmbeddingService(provider, cache, {
              batchSize: config.embedding.batchSize,
              // The in-process model costs the same per text alone or batched: waiting for company only adds latency.
              batchWindowMs: config.embedding.provider === 'local' ? 0 : config.embedding.batchWindowMs,
              maxTextChars: config.limits.maxTextChars,
              telemetry,
            });
          },
        },
      ],
    };
  }
}
