import {
  CACHE_ENTRIES_LIST_TOPIC,
  CACHE_ENTRY_GET_TOPIC,
  CACHE_HITS_TOPIC,
  CACHE_NAMESPACES_TOPIC,
  CACHE_LOOKUP_TOPIC,
  CACHE_PURGE_TOPIC,
  CACHE_STATS_TOPIC,
  CACHE_STORE_TOPIC,
  CACHE_TICKET_TOPIC,
  type CacheEntriesListReply,
  type CacheEntriesListRequest,
  type CacheEntryGetReply,
  type CacheHitsReply,
  type CacheHitsRequest,
  type CacheNamespacesReply,
  type CacheNamespacesRequest,
  type CacheEntryGetRequest,
  type CacheLookupReply,
  type CacheLookupRequest,
  type CachePurgeReply,
  type CacheService,
  type CacheStatsReply,
  type CacheStoreReply,
  type CacheStoreRequest,
  type CacheTicketReply,
  type CacheTicketRequest,
  type CallOptions,
  type PurgeSelectorMessage,
  cacheEntriesListReplySchema,
  cacheEntryGetReplySchema,
  cacheHitsReplySchema,
  cacheNamespacesReplySchema,
  cacheLookupReplySchema,
  cachePurgeReplySchema,
  cacheStatsReplySchema,
  cacheStoreReplySchema,
  cacheTicketReplySchema,
} from '@strata/contracts';
import {
  CACHE_FEEDBACK_TOPIC,
  type CacheFeedbackReply,
  type CacheFeedbackRequest,
  cacheFeedbackReplySchema,
} from '@strata/contracts';
import { type KafkaMessaging } from '../kafka/kafka-messaging';
import { parseReply } from '../parse-reply';

/** {@link CacheService} over Kafka request-reply; every reply is validated against its contract. */
export class KafkaCacheService implements CacheService {
  constructor(private readonly kafka: KafkaMessaging) {}

  async lookup(request: CacheLookupRequest, options: CallOptions): Promise<CacheLookupReply> {
    return parseReply(
      cacheLookupReplySchema,
      await this.kafka.request(CACHE_LOOKUP_TOPIC, request, options),
      CACHE_LOOKUP_TOPIC,
    );
  }

  /** Keyed by entry: stores of one entry stay in order, a tenant's stores spread over partitions. */
  async store(request: CacheStoreRequest, options: CallOptions): Promise<CacheStoreReply> {
    return parseReply(
      cacheStoreReplySchema,
      await this.kafka.request(CACHE_STORE_TOPIC, request, options, request.exactKey),
      CACHE_STORE_TOPIC,
    );
  }

  async ticket(request: CacheTicketRequest, options: CallOptions): Promise<CacheTicketReply> {
    return parseReply(
      cacheTicketReplySchema,
      await this.kafka.request(CACHE_TICKET_TOPIC, request, options),
      CACHE_TICKET_TOPIC,
    );
  }

  async getEntry(request: CacheEntryGetRequest, options: CallOptions): Promise<CacheEntryGetReply> {
    return parseReply(
      cacheEntryGetReplySchema,
      await this.kafka.request(CACHE_ENTRY_GET_TOPIC, request, options),
      CACHE_ENTRY_GET_TOPIC,
    );
  }

  async stats(options: CallOptions): Promise<CacheStatsReply> {
    return parseReply(
      cacheStatsReplySchema,
      await this.kafka.request(CACHE_STATS_TOPIC, {}, options),
      CACHE_STATS_TOPIC,
    );
  }

  /** Keyed by tenant: one tenant's purges stay in order on one partition. */
  async purge(request: PurgeSelectorMessage, options: CallOptions): Promise<CachePurgeReply> {
    return parseReply(
      cachePurgeReplySchema,
      await this.kafka.request(CACHE_PURGE_TOPIC, request, options, request.tenant),
      CACHE_PURGE_TOPIC,
    );
  }

  /** Keyed by tenant: a tenant's verdicts stay in order. */
  async feedback(request: CacheFeedbackRequest, options: CallOptions): Promise<CacheFeedbackReply> {
    return parseReply(
      cacheFeedbackReplySchema,
      await this.kafka.request(CACHE_FEEDBACK_TOPIC, request, options, request.tenant),
      CACHE_FEEDBACK_TOPIC,
    );
  }

  async listEntries(request: CacheEntriesListRequest, options: CallOptions): Promise<CacheEntriesListReply> {
    return parseReply(
      cacheEntriesListReplySchema,
      await this.kafka.request(CACHE_ENTRIES_LIST_TOPIC, request, options),
      CACHE_ENTRIES_LIST_TOPIC,
    );
  }

  async namespaces(request: CacheNamespacesRequest, options: CallOptions): Promise<CacheNamespacesReply> {
    return parseReply(
      cacheNamespacesReplySchema,
      await this.kafka.request(CACHE_NAMESPACES_TOPIC, request, options),
      CACHE_NAMESPACES_TOPIC,
    );
  }

  async recordHits(request: CacheHitsRequest, options: CallOptions): Promise<CacheHitsReply> {
    return parseReply(
      cacheHitsReplySchema,
      await this.kafka.request(CACHE_HITS_TOPIC, request, options),
      CACHE_HITS_TOPIC,
    );
  }
}
