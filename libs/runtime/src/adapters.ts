import { Logger, type Provider } from '@nestjs/common';
import {
  ENTRY_CATALOG,
  ENTRY_POPULARITY,
  EXACT_READS,
  EXACT_STORE,
  type EntryCatalog,
  type EntryPopularity,
  type ExactReads,
  type ExactStore,
  MATCH_VERIFIER,
  PURGE_GENERATIONS,
  type PurgeGenerations,
  VECTOR_INDEX,
  type VectorIndex,
  sequentialExactReads,
} from '@strata/cache-core';
import { type StrataConfig } from '@strata/config';
import { EMBEDDING_CACHE, EMBEDDING_PROVIDER, type EmbeddingCache, type EmbeddingProvider } from '@strata/embedding';
import { loadLocalProvider, loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { OpenAiCompatibleProvider } from '@strata/embedding-openai';
import { PROCESSED_EVENTS, type ProcessedEvents } from '@strata/invalidation';
import { StrataMetrics } from '@strata/observability';
import { type ModelCalibration, SemanticVerifier, builtInCalibration, readCalibrationFile } from '@strata/semantic';
import {
  MemoryEmbeddingCache,
  MemoryEntryCatalog,
  MemoryEntryPopularity,
  MemoryExactStore,
  MemoryProcessedEvents,
  MemoryPurgeGenerations,
  MemoryVectorIndex,
  type MemoryVectorIndexOptions,
} from '@strata/store-memory';
import { QdrantVectorIndex } from '@strata/store-qdrant';
import { hitVerdictAdapters } from './verification-adapters';
import {
  RedisEmbeddingCache,
  RedisEntryCatalog,
  RedisEntryPopularity,
  RedisExactReads,
  RedisExactStore,
  RedisProcessedEvents,
  RedisPurgeGenerations,
  type RedisConnectionOptions,
} from '@strata/store-redis';

/** Something the runtime opened and must close on shutdown. */
export type Closer = () => Promise<void>;

interface BuiltAdapters {
  readonly providers: Provider[];
  readonly closers: Closer[];
}

interface CacheAdapters extends BuiltAdapters {
  /** The verifier's calibrated default threshold for the configured embedding model. */
  readonly defaultThreshold: number;
  /** The model's calibrated cosine floor, when its calibration has one. */
  readonly minCosine?: number;
}

const EMBEDDING_CACHE_ENTRIES = 50_000;

function redisErrorLogger(component: string): (error: Error) => void {
  const logger = new Logger(component);
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < 10_000) return;
    last = now;
    logger.warn(`Redis unreachable, continuing without it: ${error.message}`);
  };
}

/** How to reach Redis (one server or a cluster), or undefined when Redis is not configured. */
export function redisOptions(config: StrataConfig, component: string): RedisConnectionOptions | undefined {
  const { url, clusterNodes, commandTimeoutMs } = config.redis;
  if (clusterNodes.length === 0 && !url) return undefined;
  return {
    ...(clusterNodes.length > 0 ? { clusterNodes } : { url }),
    commandTimeoutMs,
    onError: redisErrorLogger(component),
  };
}

/**
 * `strata_cache_evictions_total{tier}` for an in-memory tier: starts at 0 (so `/v1/cache/stats` shows the tier as
 * counted) and the store's `onEvict` adds each eviction for space.
 */
function countEvictions(tier: 'l2' | 'l3'): () => void {
  const metrics = StrataMetrics.shared();
  metrics.evictions.inc({ tier }, 0);
  return () => metrics.evictions.inc({ tier });
}

/** The in-memory L3's bound and HNSW settings: only what is configured; the store keeps its own defaults. */
export function memoryVectorOptions(config: StrataConfig): MemoryVectorIndexOptions {
  const { minEntries, m, efSearch } = config.cache.memoryAnn;
  return {
    maxEntries: config.cache.memoryMaxEntries,
    ...(minEntries === undefined ? {} : { annMinEntries: minEntries }),
    hnsw: { ...(m === undefined ? {} : { m }), ...(efSearch === undefined ? {} : { efSearch }) },
  };
}

/**
 * A purge's generation must outlive every entry it can make stale: the longest TTL any namespace allows,
 * plus an hour for stores in flight.
 */
function generationRetentionMs(config: StrataConfig): number {
  const ttls = [
    config.cache.maxTtlSeconds,
    ...Object.values(config.cache.namespaces).map((ns) => ns.maxTtlSeconds ?? 0),
  ];
  return (Math.max(...ttls) + 3_600) * 1000;
}

/** L2 and L3 for the cache service: Redis / Qdrant when configured, in memory otherwise. */
export async function cacheAdapters(config: StrataConfig): Promise<CacheAdapters> {
  const closers: Closer[] = [];
  let exact: ExactStore;
  let generations: PurgeGenerations;
  let reads: ExactReads;
  let catalog: EntryCatalog;
  let popularity: EntryPopularity;
  const l2Redis = redisOptions(config, 'L2');
  const generationsRedis = redisOptions(config, 'PurgeGenerations');
  const generationBounds = {
    retainMs: generationRetentionMs(config),
    maxFieldsPerTenant: config.cache.generationFieldsPerTenant,
  };
  if (l2Redis && generationsRedis) {
    const redis = RedisExactStore.open(l2Redis);
    const gens = RedisPurgeGenerations.open({ ...generationsRedis, ...generationBounds });
    closers.push(
      () => redis.close(),
      () => gens.close(),
    );
    exact = redis;
    generations = gens;
    // An L2 hit reads the entry and its purge generations in one round trip.
    reads = new RedisExactReads(redis, gens);
    catalog = new RedisEntryCatalog(redis.redis);
    popularity = new RedisEntryPopularity(redis.redis);
  } else {
    const memory = new MemoryExactStore({
      maxEntries: config.cache.memoryMaxEntries,
      maxBytes: config.cache.memoryMaxBytes,
      onEvict: countEvictions('l2'),
    });
    exact = memory;
    generations = new MemoryPurgeGenerations(generationBounds);
    reads = sequentialExactReads(exact, generations);
    catalog = new MemoryEntryCatalog(memory);
    popularity = new MemoryEntryPopularity();
  }
  const { qdrant } = config;
  const vectors: VectorIndex = qdrant.url
    ? new QdrantVectorIndex({
        url: qdrant.url,
        ...(qdrant.apiKey === undefined ? {} : { apiKey: qdrant.apiKey }),
        collectionPrefix: qdrant.collectionPrefix,
        hnsw: qdrant.hnsw,
        quantization: qdrant.quantization,
        timeout: qdrant.timeoutMs,
      })
    : new MemoryVectorIndex({ ...memoryVectorOptions(config), onEvict: countEvictions('l3') });
  const calibration = modelCalibration(config);
  // The word vectors and WordNet are loaded once per process (the local provider shares the table).
  const [wordVectors, wordNet] = await Promise.all([loadWordVectors(), loadWordNet()]);
  const verifier = SemanticVerifier.create(wordVectors, wordNet, {
    embeddingModel: config.embedding.model,
    ...(calibration ? { calibration } : {}),
  });
  return {
    defaultThreshold: verifier.defaultThreshold,
    ...(calibration?.minCosine === undefined ? {} : { minCosine: calibration.minCosine }),
    providers: [
      { provide: EXACT_STORE, useValue: exact },
      { provide: EXACT_READS, useValue: reads },
      { provide: ENTRY_CATALOG, useValue: catalog },
      { provide: ENTRY_POPULARITY, useValue: popularity },
      { provide: VECTOR_INDEX, useValue: vectors },
      { provide: MATCH_VERIFIER, useValue: verifier },
      { provide: PURGE_GENERATIONS, useValue: generations },
      ...hitVerdictAdapters(config, redisOptions(config, 'HitVerdicts'), closers),
    ],
    closers,
  };
}

/** `modelCalibration`'s answer per config object, so a process that runs several services reads the file once. */
const calibrations = new WeakMap<StrataConfig, ModelCalibration | undefined>();

/**
 * The calibration the semantic verifier decides with for the configured embedding model: the calibration
 * file's entry for it (`STRATA_SEMANTIC_CALIBRATION`), else the one Strata ships for a local model, else none
 * (another provider's model: the GloVe weights and thresholds, with the GloVe cosine computed by the verifier).
 *
 * Read once per config (the gateway's preset thresholds and the cache service's verifier ask for it with the same
 * config when embedded); another config, a test's say, reads its file afresh.
 */
export function modelCalibration(config: StrataConfig): ModelCalibration | undefined {
  if (calibrations.has(config)) return calibrations.get(config);
  const { model, calibrationFile } = config.embedding;
  const calibration =
    (calibrationFile === undefined ? undefined : readCalibrationFile(calibrationFile).models[model]) ??
    builtInCalibration(model);
  calibrations.set(config, calibration);
  return calibration;
}

/** The embedding provider and the embedding cache (Redis when configured, so vectors survive restarts). */
export async function embeddingAdapters(config: StrataConfig): Promise<BuiltAdapters> {
  const closers: Closer[] = [];
  const { embedding } = config;
  let provider: EmbeddingProvider;
  switch (embedding.provider) {
    case 'local':
      // Shared by every Strata in the process, like the word vectors: nothing to close (an idle worker keeps no
      // process alive).
      provider = await loadLocalProvider(embedding.model, { threads: embedding.threads, nice: embedding.threadNice });
      break;
    case 'openai':
      if (!embedding.url)
        throw new Error('EMBEDDING_PROVIDER=openai needs EMBEDDING_URL (an OpenAI-compatible base URL)');
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
  let cache: EmbeddingCache;
  const cacheRedis = redisOptions(config, 'EmbeddingCache');
  if (cacheRedis) {
    const redis = RedisEmbeddingCache.open(cacheRedis);
    closers.push(() => redis.close());
    cache = redis;
  } else {
    cache = new MemoryEmbeddingCache({ maxEntries: EMBEDDING_CACHE_ENTRIES });
  }
  return {
    providers: [
      { provide: EMBEDDING_PROVIDER, useValue: provider },
      { provide: EMBEDDING_CACHE, useValue: cache },
    ],
    closers,
  };
}

/** Which data-change events were applied (Redis when configured, so every replica and restart agrees). */
export function invalidationAdapters(config: StrataConfig): BuiltAdapters {
  const eventsRedis = redisOptions(config, 'ProcessedEvents');
  if (eventsRedis) {
    const events = RedisProcessedEvents.open(eventsRedis);
    return { providers: [{ provide: PROCESSED_EVENTS, useValue: events }], closers: [() => events.close()] };
  }
  const events: ProcessedEvents = new MemoryProcessedEvents();
  return { providers: [{ provide: PROCESSED_EVENTS, useValue: events }], closers: [] };
}
