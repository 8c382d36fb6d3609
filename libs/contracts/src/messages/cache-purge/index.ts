import { z } from 'zod';

/** invalidation → cache, request-reply: purge L3 then L2; replies with the counts. */
export const CACHE_PURGE_TOPIC = 'strata.cache.purge.v1';

export const purgeSelectorSchema = z
  .object({
    tenant: z.string().min(1),
    tags: z.array(z.string().min(1)).min(1).optional(),
    namespace: z.string().min(1).optional(),
    /** Correlates the L1-eviction broadcast with the purge that caused it (for per-purge counts). */
    purgeId: z.string().min(1).max(64).optional(),
    /** Set on the L1-eviction broadcast: gateways refuse to fill L1 with entries older than this. */
    generation: z.number().int().min(0).optional(),
    /** `invalidate`: only advance the purge generation (entries become unreachable at once, expire later). */
    action: z.enum(['purge', 'invalidate']).optional(),
  })
  .refine((v) => v.tags !== undefined || v.namespace !== undefined, 'a purge needs tags or a namespace');
export type PurgeSelectorMessage = z.infer<typeof purgeSelectorSchema>;

export const cachePurgeReplySchema = z.object({
  l2: z.number().int().min(0),
  l3: z.number().int().min(0),
  /** The purge generation this purge stamped on its tags/namespace. */
  generation: z.number().int().min(0).optional(),
});
export type CachePurgeReply = z.infer<typeof cachePurgeReplySchema>;
