import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  INVALIDATION_PURGE_TOPIC,
  INVALIDATION_RECENT_TOPIC,
  type InvalidationPurgeReply,
  type InvalidationRecentReply,
  type RequestContext,
} from '@strata/contracts';
import { MessageRequestContext, StrataRpcExceptionFilter } from '@strata/transport';
import { InvalidationRequests } from './invalidation-requests';

@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class InvalidationMessageController {
  constructor(private readonly requests: InvalidationRequests) {}

  @MessagePattern(INVALIDATION_PURGE_TOPIC)
  purge(@Payload() data: unknown, @MessageRequestContext() context: RequestContext): Promise<InvalidationPurgeReply> {
    return this.requests.purge(data, context);
  }

  @MessagePattern(INVALIDATION_RECENT_TOPIC)
  recent(@Payload() data: unknown): Promise<InvalidationRecentReply> {
    return this.requests.recent(data);
  }
}
