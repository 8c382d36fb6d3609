import { type Provider } from '@nestjs/common';
import { WARM_RECORDINGS } from '@strata/cache-core';
import { type StrataConfig } from '@strata/config';
import { MemoryWarmRecordings } from '@strata/store-memory';
import { RedisWarmRecordings } from '@strata/store-redis';
import { type Closer, redisOptions } from './adapters';

/**
 * The gateway's own store: the warm recordings of namespaces that warm on version bumps (`warmOnVersionBump`) —
 * in Redis when configured (shared by every replica, kept across restarts), else in memory. None when no namespace
 * opted in.
 */
export function gatewayAdapters(config: StrataConfig): { providers: Provider[]; closers: Closer[] } {
  const warming = Object.values(config.cache.namespaces).some((ns) => ns.warmOnVersionBump !== undefined);
  if (!warming) return { providers: [], closers: [] };
  const redis = redisOptions(config, 'WarmRecordings');
  if (redis) {
    const recordings = RedisWarmRecordings.open(redis);
    return {
      providers: [{ provide: WARM_RECORDINGS, useValue: recordings }],
      closers: [() => recordings.close()],
    };
  }
  return { providers: [{ provide: WARM_RECORDINGS, useValue: new MemoryWarmRecordings() }], closers: [] };
}
