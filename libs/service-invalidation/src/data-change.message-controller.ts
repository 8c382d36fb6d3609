import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DATA_CHANGES_TOPIC, dataChangeEventSchema } from '@strata/contracts';
import { StrataRpcExceptionFilter, parsePayload } from '@strata/transport';
import { ApplyDataChangeUseCase, type DataChangeOutcome } from './apply-data-change.use-case';

/**
 * Data-change events published by users. A malformed one is dead-lettered with its reason (by the
 * filter) and skipped; a failure to apply one is thrown back so it is redelivered.
 */
@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class DataChangeMessageController {
  constructor(private readonly applyDataChange: ApplyDataChangeUseCase) {}

  @EventPattern(DATA_CHANGES_TOPIC)
  apply(@Payload() data: unknown): Promise<DataChangeOutcome> {
    return this.applyDataChange.execute(parsePayload(dataChangeEventSchema, data, DATA_CHANGES_TOPIC));
  }
}
