import { z } from 'zod';

/** gateway → cache, request-reply: entry counts of the tiers the cache service owns. */
export const CACHE_STATS_TOPIC = 'strata.cache.stats.v1';

export const cacheStatsRequestSchema = z.object({}).passthrough();

export const cacheStatsReplySchema = z.object({
  l2: z.number().int().min(0).nullable(),
  l3: z.number().int().min(0).nullable(),
});
export type CacheStatsReply = z.infer<typeof cacheStatsReplySchema>;
