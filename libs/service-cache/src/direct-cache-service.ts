import { Injectable } from '@nestjs/common';
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
} from '@strata/contracts';
import { withDeadline } from '@strata/transport';
import { CACHE_FEEDBACK_TOPIC, type CacheFeedbackReply, type CacheFeedbackRequest } from '@strata/contracts';
import { CacheRequests } from './cache-requests';
import { VerificationRequests } from './verification/verification-requests';

/** The sender of the lookups called in-process. */
const IN_PROCESS = 'in-process';

/**
 * {@link CacheService} for the embedded default: a direct call into the cache service's request handling in this
 * process (the same code its Kafka handlers run), within the caller's deadline as over Kafka; the calls whose work may
 * call other services pass on the caller's request id, as the Kafka adapter's headers do.
 */
@Injectable()
export class DirectCacheService implements CacheService {
  constructor(
    private readonly requests: CacheRequests,
    private readonly verification: VerificationRequests,
  ) {}

  feedback(request: CacheFeedbackRequest, { timeoutMs }: CallOptions): Promise<CacheFeedbackReply> {
    return withDeadline(this.verification.feedback(request), timeoutMs, CACHE_FEEDBACK_TOPIC);
  }

  /** Sent now, by this process: the same budget accounting as over Kafka, with nothing spent on the way. */
  lookup(request: CacheLookupRequest, options: CallOptions): Promise<CacheLookupReply> {
    return withDeadline(
      this.requests.lookup(request, options, { sender: IN_PROCESS, at: Date.now() }),
      options.timeoutMs,
      CACHE_LOOKUP_TOPIC,
    );
  }

  store(request: CacheStoreRequest, options: CallOptions): Promise<CacheStoreReply> {
    return withDeadline(this.requests.store(request, options), options.timeoutMs, CACHE_STORE_TOPIC);
  }

  ticket(request: CacheTicketRequest, { timeoutMs }: CallOptions): Promise<CacheTicketReply> {
    return withDeadline(this.requests.ticket(request), timeoutMs, CACHE_TICKET_TOPIC);
  }

  getEntry(request: CacheEntryGetRequest, { timeoutMs }: CallOptions): Promise<CacheEntryGetReply> {
    return withDeadline(this.requests.getEntry(request), timeoutMs, CACHE_ENTRY_GET_TOPIC);
  }

  stats({ timeoutMs }: CallOptions): Promise<CacheStatsReply> {
    return withDeadline(this.verification.stats(), timeoutMs, CACHE_STATS_TOPIC);
  }

  purge(request: PurgeSelectorMessage, options: CallOptions): Promise<CachePurgeReply> {
    return withDeadline(this.requests.purge(request, options), options.timeoutMs, CACHE_PURGE_TOPIC);
  }

  listEntries(request: CacheEntriesListRequest, { timeoutMs }: CallOptions): Promise<CacheEntriesListReply> {
    return withDeadline(this.requests.listEntries(request), timeoutMs, CACHE_ENTRIES_LIST_TOPIC);
  }

  namespaces(request: CacheNamespacesRequest, { timeoutMs }: CallOptions): Promise<CacheNamespacesReply> {
    return withDeadline(this.requests.namespaces(request), timeoutMs, CACHE_NAMESPACES_TOPIC);
  }

  recordHits(request: CacheHitsRequest, { timeoutMs }: CallOptions): Promise<CacheHitsReply> {
    return withDeadline(this.requests.recordHits(request), timeoutMs, CACHE_HITS_TOPIC);
  }
}
