import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { InvalidationMessageController } from './invalidation.message-controller';
import { PurgeFanOutUseCase } from './purge-fan-out.use-case';

export interface InvalidationServiceOptions {
  readonly config: StrataConfig;
  /** Must bind CACHE_CLIENT and EVENTS_CLIENT. */
  readonly adapters: Provider[];
}

/** The invalidation service: turns purge commands (and, in distributed mode, data-change events) into purges of every tier. */
@Module({})
export class InvalidationServiceModule {
  static register(options: InvalidationServiceOptions): DynamicModule {
    return {
      module: InvalidationServiceModule,
      controllers: [InvalidationMessageController],
      providers: [...options.adapters, { provide: STRATA_CONFIG, useValue: options.config }, PurgeFanOutUseCase],
    };
  }
}
