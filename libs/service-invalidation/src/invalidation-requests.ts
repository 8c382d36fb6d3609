import { Injectable } from '@nestjs/common';
import {
  DATA_CHANGES_TOPIC,
  INVALIDATION_PURGE_TOPIC,
  type InvalidationPurgeReply,
  dataChangeEventSchema,
  invalidationPurgeRequestSchema,
} from '@strata/contracts';
import { parsePayload } from '@strata/transport';
import { ApplyDataChangeUseCase, type DataChangeOutcome } from './apply-data-change.use-case';
import { PurgeFanOutUseCase } from './purge-fan-out.use-case';

/**
 * The invalidation service's requests and events, validated against their contracts: served over Kafka by its
 * message controllers and called directly in the embedded default ({@link DirectInvalidation}).
 */
@Injectable()
export class InvalidationRequests {
  constructor(
    private readonly fanOut: PurgeFanOutUseCase,
    private readonly applyDataChange: ApplyDataChangeUseCase,
  ) {}

  async purge(data: unknown): Promise<InvalidationPurgeReply> {
    return await this.fanOut.execute(parsePayload(invalidationPurgeRequestSchema, data, INVALIDATION_PURGE_TOPIC));
  }

  async dataChange(data: unknown): Promise<DataChangeOutcome> {
    return await this.applyDataChange.execute(parsePayload(dataChangeEventSchema, data, DATA_CHANGES_TOPIC));
  }
}
