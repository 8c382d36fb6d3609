import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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
  type CacheEntryGetReply,
  type CacheHitsReply,
  type CacheNamespacesReply,
  type CacheLookupReply,
  type CachePurgeReply,
  type CacheStatsReply,
  type CacheStoreReply,
  type CacheTicketReply,
  type RequestContext,
} from '@strata/contracts';
import { MessageRequestContext, StrataRpcExceptionFilter } from '@strata/transport';
import { CACHE_FEEDBACK_TOPIC, type CacheFeedbackReply } from '@strata/contracts';
import { CacheRequests } from './cache-requests';
import { type SentMessage } from './lookup-budget/message-transit';
import { MessageSent } from './lookup-budget/sent-message.decorator';
import { VerificationRequests } from './verification/verification-requests';

/**
 * The cache service's Kafka handlers: one line each into {@link CacheRequests}. Those whose work may call other services
 * (the embedding service, the L1-eviction broadcast) pass on the request the message was sent for.
 */
@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class CacheMessageController {
  constructor(
    private readonly requests: CacheRequests,
    private readonly verification: VerificationRequests,
  ) {}

  @MessagePattern(CACHE_FEEDBACK_TOPIC)
  feedback(@Payload() data: unknown): Promise<CacheFeedbackReply> {
    return this.verification.feedback(data);
  }

  /** `sent`: the message's send time and sender, from which its budget counts. */
  @MessagePattern(CACHE_LOOKUP_TOPIC)
  lookup(
    @Payload() data: unknown,
    @MessageRequestContext() context: RequestContext,
    @MessageSent() sent: SentMessage | undefined,
  ): Promise<CacheLookupReply> {
    return this.requests.lookup(data, context, sent);
  }

  @MessagePattern(CACHE_STORE_TOPIC)
  store(@Payload() data: unknown, @MessageRequestContext() context: RequestContext): Promise<CacheStoreReply> {
    return this.requests.store(data, context);
  }

  @MessagePattern(CACHE_TICKET_TOPIC)
  ticket(@Payload() data: unknown): Promise<CacheTicketReply> {
    return this.requests.ticket(data);
  }

  @MessagePattern(CACHE_PURGE_TOPIC)
  purge(@Payload() data: unknown, @MessageRequestContext() context: RequestContext): Promise<CachePurgeReply> {
    return this.requests.purge(data, context);
  }

  @MessagePattern(CACHE_STATS_TOPIC)
  stats(): Promise<CacheStatsReply> {
    return this.verification.stats();
  }

  @MessagePattern(CACHE_ENTRY_GET_TOPIC)
  getEntry(@Payload() data: unknown): Promise<CacheEntryGetReply> {
    return this.requests.getEntry(data);
  }

  @MessagePattern(CACHE_ENTRIES_LIST_TOPIC)
  listEntries(@Payload() data: unknown): Promise<CacheEntriesListReply> {
    return this.requests.listEntries(data);
  }

  @MessagePattern(CACHE_NAMESPACES_TOPIC)
  namespaces(@Payload() data: unknown): Promise<CacheNamespacesReply> {
    return this.requests.namespaces(data);
  }

  @MessagePattern(CACHE_HITS_TOPIC)
  recordHits(@Payload() data: unknown): Promise<CacheHitsReply> {
    return this.requests.recordHits(data);
  }
}
