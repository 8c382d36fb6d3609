import { z } from 'zod';
import { purgeSelectorSchema, semanticPurgeResultSchema } from '../cache-purge';

/**
 * gateway (admin/API) → invalidation, request-reply: apply a purge across every tier, in order
 * L3, L2, then the L1-eviction broadcast. Replies with counts for L3 and L2.
 */
export const INVALIDATION_PURGE_TOPIC = 'strata.invalidation.purge.v1';

export const invalidationPurgeRequestSchema = purgeSelectorSchema;
export type InvalidationPurgeRequest = z.infer<typeof invalidationPurgeRequestSchema>;

export const invalidationPurgeReplySchema = z.object({
  l2: z.number().int().min(0),
  l3: z.number().int().min(0),
  generation: z.number().int().min(0).optional(),
  /** Present for a semantic purge. */
  semantic: semanticPurgeResultSchema.optional(),
});
export type InvalidationPurgeReply = z.infer<typeof invalidationPurgeReplySchema>;
