import { type CacheEntryGetReply, type CacheEntryGetRequest } from '../messages/cache-entry';
import { type CacheFeedbackReply, type CacheFeedbackRequest } from '../messages/cache-feedback';
import {
  type CacheEntriesListReply,
  type CacheEntriesListRequest,
  type CacheNamespacesReply,
  type CacheNamespacesRequest,
} from '../messages/cache-entries';
import { type CacheHitsReply, type CacheHitsRequest } from '../messages/cache-hits';
import { type CacheLookupReply, type CacheLookupRequest } from '../messages/cache-lookup';
import { type CachePurgeReply, type PurgeSelectorMessage } from '../messages/cache-purge';
import { type CacheStatsReply } from '../messages/cache-stats';
import { type CacheStoreReply, type CacheStoreRequest } from '../messages/cache-store';
import { type CacheTicketReply, type CacheTicketRequest } from '../messages/cache-ticket';
import { type CallOptions } from './call-options';

export const CACHE_SERVICE = Symbol('CacheService');

/**
 * The cache service (L2, L3 and purge generations) as its callers see it: the gateway and the invalidation
 * service. Bound to a direct call in the embedded default and to Kafka request-reply in distributed mode;
 * either way requests are validated by the cache service and replies by the caller's adapter.
 */
export interface CacheService {
  lookup(request: CacheLookupRequest, options: CallOptions): Promise<CacheLookupReply>;
  store(request: CacheStoreRequest, options: CallOptions): Promise<CacheStoreReply>;
  /** The tenant's current purge generation, for an answer computed without a lookup first. */
  ticket(request: CacheTicketRequest, options: CallOptions): Promise<CacheTicketReply>;
  getEntry(request: CacheEntryGetRequest, options: CallOptions): Promise<CacheEntryGetReply>;
  stats(options: CallOptions): Promise<CacheStatsReply>;
  /** Purges L3 then L2 (the invalidation service's half of a purge; it broadcasts the L1 eviction). */
  purge(request: PurgeSelectorMessage, options: CallOptions): Promise<CachePurgeReply>;
  /** Records a client's verdict on a served answer: blocks a wrong (query, entry) pairing, counts, adjusts trust. */
  feedback(request: CacheFeedbackRequest, options: CallOptions): Promise<CacheFeedbackReply>;
  /** One page of a tenant's live entries with their popularity (the console's and the CLI's entry browser). */
  listEntries(request: CacheEntriesListRequest, options: CallOptions): Promise<CacheEntriesListReply>;
  /** Live entries per namespace of one tenant. */
  namespaces(request: CacheNamespacesRequest, options: CallOptions): Promise<CacheNamespacesReply>;
  /** Hits a gateway counted (aggregated per entry since its last flush), for entry popularity. */
  recordHits(request: CacheHitsRequest, options: CallOptions): Promise<CacheHitsReply>;
}
