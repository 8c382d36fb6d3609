import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DATA_CHANGES_TOPIC, type RequestContext } from '@strata/contracts';
import { MessageRequestContext, StrataRpcExceptionFilter } from '@strata/transport';
import { type DataChangeOutcome } from './apply-data-change.use-case';
import { InvalidationRequests } from './invalidation-requests';

/**
 * Data-change events published by users. A malformed one is dead-lettered with its reason (by the
 * filter) and skipped; a failure to apply one is thrown back so it is redelivered.
 */
@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class DataChangeMessageController {
  constructor(private readonly requests: InvalidationRequests) {}

  @EventPattern(DATA_CHANGES_TOPIC)
  apply(@Payload() data: unknown, @MessageRequestContext() context: RequestContext): Promise<DataChangeOutcome> {
    return this.requests.dataChange(data, context);
  }
}
