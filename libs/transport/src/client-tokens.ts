/** DI tokens of the `ClientProxy` each service uses to reach another (in-process or Kafka). */
export const CACHE_CLIENT = Symbol('CacheServiceClient');
export const EMBEDDING_CLIENT = Symbol('EmbeddingServiceClient');
export const INVALIDATION_CLIENT = Symbol('InvalidationServiceClient');
/** For events (broadcasts): the L1 eviction. */
export const EVENTS_CLIENT = Symbol('EventsClient');
