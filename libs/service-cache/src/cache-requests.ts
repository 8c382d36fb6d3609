import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import {
  ENTRY_CATALOG,
  ENTRY_POPULARITY,
  EXACT_STORE,
  EntryCatalog,
  EntryPopularity,
  EntryQueryUseCase,
  ExactStore,
  ListEntriesUseCase,
  PURGE_GENERATIONS,
  PurgeGenerations,
  PurgeUseCase,
  SemanticPurgeUseCase,
  StoreUseCase,
  VECTOR_INDEX,
  VectorIndex,
} from '@strata/cache-core';
import {
  CACHE_ENTRIES_LIST_TOPIC,
  CACHE_ENTRY_GET_TOPIC,
  CACHE_HITS_TOPIC,
  CACHE_NAMESPACES_TOPIC,
  CACHE_LOOKUP_TOPIC,
  CACHE_PURGE_TOPIC,
  CACHE_STORE_TOPIC,
  CACHE_TICKET_TOPIC,
  type CacheEntriesListReply,
  type CacheEntryGetReply,
  type CacheHitsReply,
  type CacheNamespacesReply,
  type CacheLookupReply,
  type CachePurgeReply,
  type CacheStatsReply,
  type CacheStoreReply,
  type CacheTicketReply,
  cacheEntriesListRequestSchema,
  cacheEntryGetRequestSchema,
  cacheHitsRequestSchema,
  cacheNamespacesRequestSchema,
  cacheLookupRequestSchema,
  cacheStoreRequestSchema,
  cacheTicketRequestSchema,
  purgeSelectorSchema,
  type RequestContext,
} from '@strata/contracts';
import { StrataMetrics, Tracing } from '@strata/observability';
import { parsePayload } from '@strata/transport';
import { BudgetedLookup } from './lookup-budget/budgeted-lookup';
import { type SentMessage } from './lookup-budget/message-transit';

/** How long shutdown waits for the semantic halves of `background` stores. */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * The cache service's requests, each validated against its contract and handed to one use case. Served over
 * Kafka by {@link CacheMessageController} and called directly in the embedded default ({@link DirectCacheService}):
 * one implementation for both.
 *
 * On shutdown it waits (at most {@link DRAIN_TIMEOUT_MS}) for the L3 writes of stores that replied once L2 held
 * their entry: the stores and the adapters they write through close after it.
 */
@Injectable()
export class CacheRequests implements BeforeApplicationShutdown {
  constructor(
    private readonly budgetedLookup: BudgetedLookup,
    private readonly storeUseCase: StoreUseCase,
    private readonly purgeUseCase: PurgeUseCase,
    private readonly semanticPurgeUseCase: SemanticPurgeUseCase,
    private readonly entryQuery: EntryQueryUseCase,
    @Inject(EXACT_STORE) private readonly l2: ExactStore,
    @Inject(VECTOR_INDEX) private readonly l3: VectorIndex,
    @Inject(PURGE_GENERATIONS) private readonly generations: PurgeGenerations,
    private readonly listEntriesUseCase: ListEntriesUseCase,
    @Inject(ENTRY_CATALOG) private readonly catalog: EntryCatalog,
    @Inject(ENTRY_POPULARITY) private readonly popularity: EntryPopularity,
  ) {
    StrataMetrics.shared().reportPendingL3Writes(() => storeUseCase.backgroundWrites);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.storeUseCase.drain(DRAIN_TIMEOUT_MS);
  }

  /**
   * `context`: the request the lookup is for, passed on to the embedding service. `sent`: when and by whom it was sent
   * (its budget counts from then: {@link BudgetedLookup}); absent, from now.
   */
  async lookup(data: unknown, context: RequestContext = {}, sent?: SentMessage): Promise<CacheLookupReply> {
    return await Tracing.span('cache.lookup', {}, () =>
      this.budgetedLookup.execute(parsePayload(cacheLookupRequestSchema, data, CACHE_LOOKUP_TOPIC), context, sent),
    );
  }

  /** `context`: the request the store is for, passed on to the embedding service. */
  async store(data: unknown, context: RequestContext = {}): Promise<CacheStoreReply> {
    return await Tracing.span('cache.store', {}, () =>
      this.storeUseCase.execute(parsePayload(cacheStoreRequestSchema, data, CACHE_STORE_TOPIC), context),
    );
  }

  async ticket(data: unknown): Promise<CacheTicketReply> {
    const { tenant } = parsePayload(cacheTicketRequestSchema, data, CACHE_TICKET_TOPIC);
    return { ticket: await this.generations.current(tenant) };
  }

  /** `context`: the request the purge is for, passed on to the embedding service (a semantic purge's text). */
  async purge(data: unknown, context: RequestContext = {}): Promise<CachePurgeReply> {
    const { action, semantic, ...selector } = parsePayload(purgeSelectorSchema, data, CACHE_PURGE_TOPIC);
    if (semantic)
      return this.semanticPurgeUseCase.execute(
        { tenant: selector.tenant, namespace: selector.namespace, ...semantic },
        action,
        context,
      );
    return await this.purgeUseCase.execute(selector, action);
  }

  async stats(): Promise<CacheStatsReply> {
    const [l2, l3, evicted] = await Promise.all([
      this.l2.count().catch(() => null),
      this.l3.count().catch(() => null),
      this.l2.evictedKeys?.().catch(() => null),
    ]);
    return { l2, l3, ...(evicted === undefined ? {} : { backendEvictions: { l2: evicted } }) };
  }

  async getEntry(data: unknown): Promise<CacheEntryGetReply> {
    const { tenant, id } = parsePayload(cacheEntryGetRequestSchema, data, CACHE_ENTRY_GET_TOPIC);
    return { entry: (await this.entryQuery.execute(tenant, id)) ?? null };
  }

  async listEntries(data: unknown): Promise<CacheEntriesListReply> {
    return this.listEntriesUseCase.execute(parsePayload(cacheEntriesListRequestSchema, data, CACHE_ENTRIES_LIST_TOPIC));
  }

  async namespaces(data: unknown): Promise<CacheNamespacesReply> {
    const { tenant } = parsePayload(cacheNamespacesRequestSchema, data, CACHE_NAMESPACES_TOPIC);
    return { namespaces: await this.catalog.namespaceCounts(tenant) };
  }

  async recordHits(data: unknown): Promise<CacheHitsReply> {
    const { hits } = parsePayload(cacheHitsRequestSchema, data, CACHE_HITS_TOPIC);
    await this.popularity.record(hits);
    return { recorded: hits.length };
  }
}
