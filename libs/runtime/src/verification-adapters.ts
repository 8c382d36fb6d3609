import { type Provider } from '@nestjs/common';
import { HIT_VERDICTS } from '@strata/cache-core';
import { type StrataConfig } from '@strata/config';
import { MemoryHitVerdicts } from '@strata/store-memory';
import { type RedisConnectionOptions, RedisHitVerdicts } from '@strata/store-redis';
import { type Closer } from './adapters';

/**
 * Where hit verdicts (feedback blocks, judge verdicts, per-entry thresholds) live when hit verification is on:
 * Redis when configured, so every cache service replica honours a block at once; memory otherwise.
 * Nothing is bound when it is off (the cache service then runs its lookups without the gate).
 */
export function hitVerdictAdapters(
  config: StrataConfig,
  redis: RedisConnectionOptions | undefined,
  closers: Closer[],
): Provider[] {
  if (!config.verification.enabled) return [];
  if (redis) {
    const verdicts = RedisHitVerdicts.open(redis);
    closers.push(() => verdicts.close());
    return [{ provide: HIT_VERDICTS, useValue: verdicts }];
  }
  return [{ provide: HIT_VERDICTS, useValue: new MemoryHitVerdicts({ maxEntries: config.cache.memoryMaxEntries }) }];
}
