import { z } from 'zod';

/**
 * gateway → cache, request-reply: hits the gateway counted since its last flush (L1, L2 and L3 alike),
 * aggregated per entry, for entry popularity (`sort=hits`, pre-warming).
 */
export const CACHE_HITS_TOPIC = 'strata.cache.hits.v1';

export const MAX_HITS_PER_FLUSH = 10_000;

export const hitCountSchema = z.object({
  tenant: z.string().min(1),
  id: z.string().min(1),
  count: z.number().int().min(1),
  /** Epoch milliseconds of the latest of these hits. */
  lastHitAt: z.number(),
});
export type HitCount = z.infer<typeof hitCountSchema>;

export const cacheHitsRequestSchema = z.object({ hits: z.array(hitCountSchema).max(MAX_HITS_PER_FLUSH) });
export type CacheHitsRequest = z.infer<typeof cacheHitsRequestSchema>;

export const cacheHitsReplySchema = z.object({ recorded: z.number().int().min(0) });
export type CacheHitsReply = z.infer<typeof cacheHitsReplySchema>;
