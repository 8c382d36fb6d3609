import { z } from 'zod';

/**
 * gateway → invalidation, request-reply: the data-change events and dead letters the answering invalidation
 * service replica saw last (a small in-memory ring per replica: the console's "recent events").
 */
export const INVALIDATION_RECENT_TOPIC = 'strata.invalidation.recent.v1';

export const invalidationRecentRequestSchema = z.object({
  /** Only this tenant's; absent: every tenant's (admin keys). */
  tenant: z.string().min(1).optional(),
});
export type InvalidationRecentRequest = z.infer<typeof invalidationRecentRequestSchema>;

export const recentDataChangeSchema = z.object({
  /** ISO time it was handled. */
  at: z.string(),
  id: z.string(),
  tenant: z.string(),
  tags: z.array(z.string()),
  namespace: z.string().optional(),
  /** The text of a purge by meaning. */
  semantic: z.string().optional(),
  action: z.enum(['purge', 'invalidate']),
  /** `applied`, `duplicate` (seen before, skipped) or `failed` (to be redelivered). */
  outcome: z.enum(['applied', 'duplicate', 'failed']),
  purged: z.object({ l2: z.number().int().min(0), l3: z.number().int().min(0) }).optional(),
  latencyMs: z.number().min(0).optional(),
  error: z.string().optional(),
});
export type RecentDataChange = z.infer<typeof recentDataChangeSchema>;

export const recentDeadLetterSchema = z.object({
  at: z.string(),
  topic: z.string(),
  tenant: z.string().optional(),
  reason: z.string(),
});
export type RecentDeadLetter = z.infer<typeof recentDeadLetterSchema>;

export const invalidationRecentReplySchema = z.object({
  events: z.array(recentDataChangeSchema),
  deadLetters: z.array(recentDeadLetterSchema),
});
export type InvalidationRecentReply = z.infer<typeof invalidationRecentReplySchema>;
