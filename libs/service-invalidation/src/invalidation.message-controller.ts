import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  INVALIDATION_PURGE_TOPIC,
  INVALIDATION_RECENT_TOPIC,
  type InvalidationPurgeReply,
  type InvalidationRecentReply,
} from '@strata/contracts';
import { StrataRpcExceptionFilter } from '@strata/transport';
import { InvalidationRequests } from './invalidation-requests';

@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class InvalidationMessageController {
  constructor(private readonly requests: InvalidationRequests) {}

  @MessagePattern(INVALIDATION_PURGE_TOPIC)
  purge(@Payload() data: unknown): Promise<InvalidationPurgeReply> {
    return this.requests.purge(data);
  }

  @MessagePattern(INVALIDATION_RECENT_TOPIC)
  recent(@Payload() data: unknown): Promise<InvalidationRecentReply> {
    return this.requests.recent(data);
  }
}
