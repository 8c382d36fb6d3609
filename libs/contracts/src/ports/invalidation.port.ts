import { type DataChangeEvent } from '../messages/data-change';
import { type InvalidationPurgeReply, type InvalidationPurgeRequest } from '../messages/invalidation-purge';
import { type InvalidationRecentReply, type InvalidationRecentRequest } from '../messages/invalidation-recent';
import { type CallOptions, type RequestContext } from './call-options';

export const INVALIDATION = Symbol('Invalidation');

/** The invalidation service as the gateway sees it. */
export interface Invalidation {
  /** Purges L3, L2 and every gateway's L1; answers with the counts once all of that is done. */
  purge(request: InvalidationPurgeRequest, options: CallOptions): Promise<InvalidationPurgeReply>;
  /**
   * Publishes a data change exactly as a user's producer does (distributed: on `strata.data-changes.v1`, applied
   * later; embedded: applied before this resolves).
   */
  publish(event: DataChangeEvent, context?: RequestContext): Promise<void>;
  /** The data-change events and dead letters an invalidation service replica handled last (`tenant`: only its). */
  recent(request: InvalidationRecentRequest, options: CallOptions): Promise<InvalidationRecentReply>;
}
