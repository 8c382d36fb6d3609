export type ServiceName = 'gateway' | 'cache' | 'embedding' | 'invalidation';
