import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import {
  CACHE_TELEMETRY,
  type CacheTelemetry,
  EMBEDDER,
  ENTRY_CATALOG,
  ENTRY_POPULARITY,
  EXACT_READS,
  EXACT_STORE,
  type EntryCatalog,
  type EntryPopularity,
  EntryQueryUseCase,
  type Embedder,
  type ExactReads,
  type ExactStore,
  ListEntriesUseCase,
  ContextsBeingWritten,
  LookupUseCase,
  MATCH_VERIFIER,
  type MatchVerifier,
  PURGE_GENERATIONS,
  type PurgeGenerations,
  SemanticGate,
  PurgeUseCase,
  SemanticPurgeUseCase,
  StoreUseCase,
  VECTOR_INDEX,
  type VectorIndex,
} from '@strata/cache-core';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { CacheMessageController } from './cache.message-controller';
import { CacheRequests } from './cache-requests';
import { CacheTierHealth } from './cache-tier-health';
import { DirectCacheService } from './direct-cache-service';
import { EmbeddingsEmbedder } from './embeddings-embedder';
import { BudgetedLookup } from './lookup-budget/budgeted-lookup';
import { MessageTransit } from './lookup-budget/message-transit';
import { MetricsCacheTelemetry } from './metrics-cache-telemetry';
import { verificationProviders } from './verification/verification.providers';

export interface CacheServiceOptions {
  readonly config: StrataConfig;
  /**
   * Must bind EXACT_STORE, ENTRY_CATALOG, ENTRY_POPULARITY, VECTOR_INDEX, PURGE_GENERATIONS, MATCH_VERIFIER and
   * EMBEDDINGS (chosen by the runtime); may bind EXACT_READS (default: the generations' current (the ticket) beside the store's get, then their latest).
   */
  readonly adapters: Provider[];
  /** Similarity threshold when neither the request nor its namespace sets one (resolved by the runtime's `semanticPolicy`). */
  readonly defaultThreshold: number;
  /** Cosine floor for retrieving candidates (verification decides above it). */
  readonly minCosine: number;
}

const now = (): number => Date.now();

/**
 * The gateway waits 5 s for a store's reply: the embedding and L3 half gets 3 s of it, so a hung
 * embedding provider or Qdrant makes a store land in L2 only (`l3: false`) instead of timing out whole.
 */
const STORE_SEMANTIC_BUDGET_MS = 3_000;

/** The cache service: owns L2 and L3 and the backfill between them. Transport-agnostic. */
@Module({})
export class CacheServiceModule {
  static register(options: CacheServiceOptions): DynamicModule {
    const { config } = options;
    // The stores' semantic writes in flight, told to the lookups (a context being written may hold entries).
    const writing = new ContextsBeingWritten();
    return {
      module: CacheServiceModule,
      controllers: [CacheMessageController],
      providers: [
        ...options.adapters,
        { provide: STRATA_CONFIG, useValue: config },
        { provide: CACHE_TELEMETRY, useClass: MetricsCacheTelemetry },
        { provide: EMBEDDER, useClass: EmbeddingsEmbedder },
        CacheTierHealth,
        CacheRequests,
        DirectCacheService,
        { provide: MessageTransit, useValue: new MessageTransit(now) },
        BudgetedLookup,
        ...verificationProviders(config),
        {
          provide: LookupUseCase,
          inject: [
            EXACT_STORE,
            VECTOR_INDEX,
            EMBEDDER,
            MATCH_VERIFIER,
            PURGE_GENERATIONS,
            CACHE_TELEMETRY,
            SemanticGate,
            { token: EXACT_READS, optional: true },
          ],
          useFactory: (
            l2: ExactStore,
            l3: VectorIndex,
            embedder: Embedder,
            verifier: MatchVerifier,
            generations: PurgeGenerations,
            telemetry: CacheTelemetry,
            gate: SemanticGate | null,
            reads: ExactReads | undefined,
          ) =>
            new LookupUseCase(
              l2,
              l3,
              embedder,
              verifier,
              generations,
              telemetry,
              {
                candidates: config.cache.candidates,
                minCosine: options.minCosine,
                defaultThreshold: options.defaultThreshold,
                now,
                writing,
              },
              gate ?? undefined,
              reads,
            ),
        },
        {
          provide: StoreUseCase,
          inject: [EXACT_STORE, VECTOR_INDEX, EMBEDDER, PURGE_GENERATIONS, CACHE_TELEMETRY],
          useFactory: (
            l2: ExactStore,
            l3: VectorIndex,
            embedder: Embedder,
            generations: PurgeGenerations,
            telemetry: CacheTelemetry,
          ) =>
            new StoreUseCase(l2, l3, embedder, generations, telemetry, {
              semanticBudgetMs: STORE_SEMANTIC_BUDGET_MS,
              writing,
            }),
        },
        {
          provide: PurgeUseCase,
          inject: [EXACT_STORE, VECTOR_INDEX, PURGE_GENERATIONS, CACHE_TELEMETRY],
          useFactory: (l2: ExactStore, l3: VectorIndex, generations: PurgeGenerations, telemetry: CacheTelemetry) =>
            new PurgeUseCase(l2, l3, generations, telemetry),
        },
        {
          provide: SemanticPurgeUseCase,
          inject: [VECTOR_INDEX, EMBEDDER, PurgeUseCase, CACHE_TELEMETRY],
          useFactory: (l3: VectorIndex, embedder: Embedder, purge: PurgeUseCase, telemetry: CacheTelemetry) =>
            new SemanticPurgeUseCase(l3, embedder, purge, telemetry, { now }),
        },
        {
          provide: EntryQueryUseCase,
          inject: [EXACT_STORE, PURGE_GENERATIONS],
          useFactory: (l2: ExactStore, generations: PurgeGenerations) => new EntryQueryUseCase(l2, generations, now),
        },
        {
          provide: ListEntriesUseCase,
          inject: [EXACT_STORE, ENTRY_CATALOG, ENTRY_POPULARITY, PURGE_GENERATIONS],
          useFactory: (
            l2: ExactStore,
            catalog: EntryCatalog,
            popularity: EntryPopularity,
            generations: PurgeGenerations,
          ) => new ListEntriesUseCase(l2, catalog, popularity, generations, now),
        },
      ],
    };
  }
}
