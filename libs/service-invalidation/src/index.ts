export { InvalidationServiceModule } from './invalidation-service.module';
export type { InvalidationServiceOptions } from './invalidation-service.module';
export { DirectInvalidation } from './direct-invalidation';
