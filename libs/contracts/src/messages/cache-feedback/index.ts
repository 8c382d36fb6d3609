import { z } from 'zod';

/** gateway → cache, request-reply: a client's verdict on an answer it was served from the cache. */
export const CACHE_FEEDBACK_TOPIC = 'strata.cache.feedback.v1';

export const feedbackVerdictSchema = z.enum(['wrong', 'right']);
export type FeedbackVerdict = z.infer<typeof feedbackVerdictSchema>;

export const cacheFeedbackRequestSchema = z
  .object({
    tenant: z.string().min(1),
    /** The root entry that answered (an L3 hit's entry, or the `aliasOf` of a backfilled copy). */
    entryId: z.string().min(1),
    verdict: feedbackVerdictSchema,
    /**
     * The exact key of the request that was answered. Another key than the entry's own: a semantic hit, and
     * `wrong` blocks that (query, entry) pairing. The entry's own key, or none: the answer itself is judged.
     */
    exactKey: z.string().min(1).optional(),
    /**
     * `client` (unset): a client's verdict. `audit`: a gateway's shadow audit of a semantic hit it served (its fresh
     * upstream answer compared with the cached one; `right`: passed, `wrong`: failed), applied exactly as a judge audit.
     */
    source: z.enum(['client', 'audit']).optional(),
    /** With `source: 'audit'`: the audited hit's namespace, its similarity, and the namespace's wrong-hit target. */
    audit: z
      .object({
        namespace: z.string().min(1),
        similarity: z.number().min(0).max(1),
        maxWrongHitRate: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
  })
  .superRefine((request, context) => {
    if (request.source === 'audit' && (request.audit === undefined || request.exactKey === undefined))
      context.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'an audit result names the audited hit (audit, exactKey)',
      });
  });
export type CacheFeedbackRequest = z.infer<typeof cacheFeedbackRequestSchema>;

export const cacheFeedbackReplySchema = z.object({
  /** False: no live entry of the tenant with this id (nothing was changed). */
  found: z.boolean(),
  /**
   * `blocked`: the pairing no longer hits and the entry's threshold was raised; `purge`: the answer is wrong
   * (an exact hit, or `wrong` repeated past the limit), the caller purges the entry from every tier; `counted`:
   * a `right` was recorded.
   */
  action: z.enum(['blocked', 'purge', 'counted', 'none']),
  wrong: z.number().int().min(0),
  right: z.number().int().min(0),
  /** What the entry's own similarity threshold is raised by (negative: lowered after passed audits). */
  thresholdRaise: z.number(),
});
export type CacheFeedbackReply = z.infer<typeof cacheFeedbackReplySchema>;
