import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { INVALIDATION_PURGE_TOPIC, type InvalidationPurgeReply } from '@strata/contracts';
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
}
