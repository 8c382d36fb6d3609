import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { NamespacePolicies, type SemanticPrecision } from '@strata/cache-core';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { OpsModule, StrataMetrics } from '@strata/observability';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './auth/access.guard';
import { TenantResolver } from './auth/tenant-resolver';
import { TenantStats } from './cache-api/tenant-stats';
import { CacheStatsService } from './cache-api/cache-stats.service';
import { GatewayCache } from './cache-api/gateway-cache';
import { EntryBrowser } from './cache-api/entry-browser';
import { EntryImporter } from './cache-api/entry-importer';
import { HitRecorder } from './cache-api/hit-recorder';
import { ConsoleHttpController } from './console/console.http-controller';
import { EntriesHttpController } from './http/entries.http-controller';
import { InvalidationActivityHttpController } from './http/invalidation-activity.http-controller';
import { CacheApiHttpController } from './http/cache-api.http-controller';
import { CacheLookupHttpRoute } from './http/cache-lookup.http-route';
import { FastifyHotRoutes } from './http/fastify-hot-routes';
import { HitReplays } from './http/replay/hit-replays';
import { ChatCompletionsHttpRoute } from './openai/http/chat-completions.http-route';
import { MessagesHttpRoute } from './proxy/http/messages.http-route';
import { InvalidationsHttpController } from './http/invalidations.http-controller';
import { PublicAnswerHttpController } from './public/public-answer.http-controller';
import { FEEDBACK_CONTROLLERS, feedbackProviders } from './feedback/feedback.providers';
import { L1Cache } from './l1/l1-cache';
import { OpenApiHttpController } from './openapi/openapi.http-controller';
import { L1EvictMessageController } from './messages/l1-evict.message-controller';
import { OPENAI_PROXY_CONTROLLERS, OPENAI_PROXY_PROVIDERS } from './openai/openai-proxy.providers';
import { WARM_PROVIDERS } from './warm/warm.providers';

export interface GatewayOptions {
  readonly config: StrataConfig;
  /** Must bind CACHE_SERVICE, INVALIDATION and EMBEDDINGS. */
  readonly adapters: Provider[];
  /** The `semanticPrecision` presets' thresholds for the configured embedding model (unset: the GloVe model's). */
  readonly presetThresholds?: Readonly<Record<SemanticPrecision, number>>;
}

/** The gateway: the public HTTP API and L1. */
@Module({})
export class GatewayModule {
  static register(options: GatewayOptions): DynamicModule {
    const { config } = options;
    return {
      module: GatewayModule,
      imports: [OpsModule],
      controllers: [
        ...FEEDBACK_CONTROLLERS,
        CacheApiHttpController,
        EntriesHttpController,
        InvalidationActivityHttpController,
        ConsoleHttpController,
        InvalidationsHttpController,
        PublicAnswerHttpController,
        OpenApiHttpController,
        L1EvictMessageController,
        ...OPENAI_PROXY_CONTROLLERS,
      ],
      providers: [
        ...options.adapters,
        { provide: STRATA_CONFIG, useValue: config },
        {
          provide: L1Cache,
          useFactory: () => {
            const metrics = StrataMetrics.shared();
            const l1 = new L1Cache({
              maxEntries: config.cache.l1MaxEntries,
              maxBytes: config.cache.l1MaxBytes,
              maxTtlSeconds: config.cache.l1MaxTtlSeconds,
              onEvict: () => metrics.evictions.inc({ tier: 'l1' }),
            });
            metrics.countEntries('l1', () => Promise.resolve(l1.size));
            return l1;
          },
        },
        {
          provide: NamespacePolicies,
          useFactory: () =>
            new NamespacePolicies(
              {
                temperaturePolicy: config.cache.temperaturePolicy,
                defaultTtlSeconds: config.cache.defaultTtlSeconds,
                maxTtlSeconds: config.cache.maxTtlSeconds,
                contentTypeTtlSeconds: config.cache.contentTypeTtlSeconds,
                ...(config.cache.similarityThreshold === undefined
                  ? {}
                  : { similarityThreshold: config.cache.similarityThreshold }),
                ...(options.presetThresholds === undefined ? {} : { presetThresholds: options.presetThresholds }),
              },
              config.cache.namespaces,
            ),
        },
        TenantResolver,
        // Every HTTP route: who is calling, may it call this route, its rate limit (see AccessGuard). The hot routes
        // Fastify serves directly (FastifyHotRoutes) ask the same instance.
        AccessGuard,
        { provide: APP_GUARD, useExisting: AccessGuard },
        ...feedbackProviders(config),
        TenantStats,
        GatewayCache,
        HitRecorder,
        EntryBrowser,
        EntryImporter,
        CacheStatsService,
        ...OPENAI_PROXY_PROVIDERS,
        ...WARM_PROVIDERS,
        CacheLookupHttpRoute,
        ChatCompletionsHttpRoute,
        MessagesHttpRoute,
        FastifyHotRoutes,
        HitReplays,
      ],
    };
  }
}
