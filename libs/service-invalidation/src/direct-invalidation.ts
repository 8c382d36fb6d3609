import { Injectable } from '@nestjs/common';
import {
  INVALIDATION_PURGE_TOPIC,
  INVALIDATION_RECENT_TOPIC,
  type CallOptions,
  type DataChangeEvent,
  type Invalidation,
  type InvalidationPurgeReply,
  type InvalidationPurgeRequest,
  type InvalidationRecentReply,
  type InvalidationRecentRequest,
  type RequestContext,
} from '@strata/contracts';
import { withDeadline } from '@strata/transport';
import { InvalidationRequests } from './invalidation-requests';

/**
 * {@link Invalidation} for the embedded default: a direct call into the invalidation service in this process. A
 * published data change is applied before `publish` resolves (no broker in between to hold it).
 */
@Injectable()
export class DirectInvalidation implements Invalidation {
  constructor(private readonly requests: InvalidationRequests) {}

  purge(request: InvalidationPurgeRequest, options: CallOptions): Promise<InvalidationPurgeReply> {
    return withDeadline(this.requests.purge(request, options), options.timeoutMs, INVALIDATION_PURGE_TOPIC);
  }

  async publish(event: DataChangeEvent, context?: RequestContext): Promise<void> {
    await this.requests.dataChange(event, context);
  }

  recent(request: InvalidationRecentRequest, { timeoutMs }: CallOptions): Promise<InvalidationRecentReply> {
    return withDeadline(this.requests.recent(request), timeoutMs, INVALIDATION_RECENT_TOPIC);
  }
}
