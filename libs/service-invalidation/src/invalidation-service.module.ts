import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { ApplyDataChangeUseCase } from './apply-data-change.use-case';
import { DataChangeOutage } from './data-change-outage';
import { DataChangeMessageController } from './data-change.message-controller';
import { DirectInvalidation } from './direct-invalidation';
import { InvalidationMessageController } from './invalidation.message-controller';
import { InvalidationRequests } from './invalidation-requests';
import { PurgeFanOutUseCase } from './purge-fan-out.use-case';
import { RecentActivity } from './recent-activity';

export interface InvalidationServiceOptions {
  readonly config: StrataConfig;
  /** Must bind CACHE_SERVICE, L1_EVICTIONS and PROCESSED_EVENTS. */
  readonly adapters: Provider[];
}

/** The invalidation service: turns purge commands (and, in distributed mode, data-change events) into purges of every tier. */
@Module({})
export class InvalidationServiceModule {
  static register(options: InvalidationServiceOptions): DynamicModule {
    return {
      module: InvalidationServiceModule,
      controllers: [InvalidationMessageController, DataChangeMessageController],
      providers: [
        ...options.adapters,
        { provide: STRATA_CONFIG, useValue: options.config },
        PurgeFanOutUseCase,
        ApplyDataChangeUseCase,
        InvalidationRequests,
        { provide: RecentActivity, useFactory: () => new RecentActivity() },
        DirectInvalidation,
        { provide: DataChangeOutage, useFactory: () => new DataChangeOutage() },
      ],
    };
  }
}
