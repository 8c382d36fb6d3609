export { CacheServiceModule } from './cache-service.module';
export type { CacheServiceOptions } from './cache-service.module';
export { DirectCacheService } from './direct-cache-service';
