import { Controller, Inject, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  EXACT_STORE,
  EntryQueryUseCase,
  ExactStore,
  LookupUseCase,
  PURGE_GENERATIONS,
  PurgeGenerations,
  PurgeUseCase,
  SemanticPurgeUseCase,
  StoreUseCase,
  VECTOR_INDEX,
  VectorIndex,
} from '@strata/cache-core';
import {
  CACHE_ENTRY_GET_TOPIC,
  CACHE_LOOKUP_TOPIC,
  CACHE_PURGE_TOPIC,
  CACHE_STATS_TOPIC,
  CACHE_STORE_TOPIC,
  CACHE_TICKET_TOPIC,
  type CacheTicketReply,
  type CacheStatsReply,
  type CacheEntryGetReply,
  type CacheLookupReply,
  type CachePurgeReply,
  type CacheStoreReply,
  cacheEntryGetRequestSchema,
  cacheLookupRequestSchema,
  cacheStoreRequestSchema,
  cacheTicketRequestSchema,
  purgeSelectorSchema,
} from '@strata/contracts';
import { StrataRpcExceptionFilter, parsePayload } from '@strata/transport';

/** The cache service's message handlers: parse, call one use case, return its result. */
@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class CacheMessageController {
  constructor(
    private readonly lookupUseCase: LookupUseCase,
    private readonly storeUseCase: StoreUseCase,
    private readonly purgeUseCase: PurgeUseCase,
    private readonly semanticPurgeUseCase: SemanticPurgeUseCase,
    private readonly entryQuery: EntryQueryUseCase,
    @Inject(EXACT_STORE) private readonly l2: ExactStore,
    @Inject(VECTOR_INDEX) private readonly l3: VectorIndex,
    @Inject(PURGE_GENERATIONS) private readonly generations: PurgeGenerations,
  ) {}

  @MessagePattern(CACHE_LOOKUP_TOPIC)
  lookup(@Payload() data: unknown): Promise<CacheLookupReply> {
    return this.lookupUseCase.execute(parsePayload(cacheLookupRequestSchema, data, CACHE_LOOKUP_TOPIC));
  }

  @MessagePattern(CACHE_STORE_TOPIC)
  store(@Payload() data: unknown): Promise<CacheStoreReply> {
    return this.storeUseCase.execute(parsePayload(cacheStoreRequestSchema, data, CACHE_STORE_TOPIC));
  }

  @MessagePattern(CACHE_TICKET_TOPIC)
  async ticket(@Payload() data: unknown): Promise<CacheTicketReply> {
    const { tenant } = parsePayload(cacheTicketRequestSchema, data, CACHE_TICKET_TOPIC);
    return { ticket: await this.generations.current(tenant) };
  }

  @MessagePattern(CACHE_PURGE_TOPIC)
  purge(@Payload() data: unknown): Promise<CachePurgeReply> {
    const { action, semantic, ...selector } = parsePayload(purgeSelectorSchema, data, CACHE_PURGE_TOPIC);
    if (semantic) return this.semanticPurgeUseCase.execute({ tenant: selector.tenant, namespace: selector.namespace, ...semantic }, action);
    return this.purgeUseCase.execute(selector, action);
  }

  @MessagePattern(CACHE_STATS_TOPIC)
  async stats(): Promise<CacheStatsReply> {
    const [l2, l3] = await Promise.all([this.l2.count().catch(() => null), this.l3.count().catch(() => null)]);
    return { l2, l3 };
  }

  @MessagePattern(CACHE_ENTRY_GET_TOPIC)
  async getEntry(@Payload() data: unknown): Promise<CacheEntryGetReply> {
    const { tenant, id } = parsePayload(cacheEntryGetRequestSchema, data, CACHE_ENTRY_GET_TOPIC);
    return { entry: (await this.entryQuery.execute(tenant, id)) ?? null };
  }
}
