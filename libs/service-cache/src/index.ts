export { CacheServiceModule } from './cache-service.module';
export type { CacheServiceOptions } from './cache-service.module';
