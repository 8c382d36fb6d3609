import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { INVALIDATION_PURGE_TOPIC, type InvalidationPurgeReply, invalidationPurgeRequestSchema } from '@strata/contracts';
import { StrataRpcExceptionFilter, parsePayload } from '@strata/transport';
import { PurgeFanOutUseCase } from './purge-fan-out.use-case';

@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class InvalidationMessageController {
  constructor(private readonly fanOut: PurgeFanOutUseCase) {}

  @MessagePattern(INVALIDATION_PURGE_TOPIC)
  purge(@Payload() data: unknown): Promise<InvalidationPurgeReply> {
    return this.fanOut.execute(parsePayload(invalidationPurgeRequestSchema, data, INVALIDATION_PURGE_TOPIC));
  }
}
