import { z } from 'zod';

/** invalidation → cache, request-reply: purge L3 then L2; replies with the counts. */
export const CACHE_PURGE_TOPIC = 'strata.cache.purge.v1';

/**
 * A semantic purge: the entries whose question's embedding has a cosine similarity of at least `minSimilarity` (in
 * [0, 1], as the embedding model scores it) with `text`'s, in every context of the tenant (narrowed to `namespace`
 * when one is given), each purged with every copy of it. Replaces `tags` as the selector: it cannot be combined with
 * them.
 */
export const semanticSelectorSchema = z
  .object({
    text: z.string().trim().min(1, 'semantic.text must not be empty').max(32_768),
    minSimilarity: z.number().min(0).max(1),
  })
  .strict();
export type SemanticSelector = z.infer<typeof semanticSelectorSchema>;

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
    /** Selects by meaning instead of by tags; `namespace` then narrows it (see `semanticSelectorSchema`). */
    semantic: semanticSelectorSchema.optional(),
  })
  .refine(
    (v) => v.tags !== undefined || v.namespace !== undefined || v.semantic !== undefined,
    'a purge needs tags, a namespace or semantic',
  )
  .refine((v) => v.semantic === undefined || v.tags === undefined, 'a semantic purge cannot be combined with tags');
export type PurgeSelectorMessage = z.infer<typeof purgeSelectorSchema>;

/** What a semantic purge selected (its counts are in the reply's `l2`/`l3`). */
export const semanticPurgeResultSchema = z.object({
  /** Root entry ids purged, each with every copy of it: the L1 eviction broadcast evicts their `$entry` tags. */
  entryIds: z.array(z.string().min(1)),
  /** The match cap was reached: more entries may lie within the radius (purge again to continue). */
  truncated: z.boolean(),
});
export type SemanticPurgeResult = z.infer<typeof semanticPurgeResultSchema>;

export const cachePurgeReplySchema = z.object({
  l2: z.number().int().min(0),
  l3: z.number().int().min(0),
  /** The purge generation this purge stamped on its tags/namespace. */
  generation: z.number().int().min(0).optional(),
  /** Present for a semantic purge. */
  semantic: semanticPurgeResultSchema.optional(),
});
export type CachePurgeReply = z.infer<typeof cachePurgeReplySchema>;
