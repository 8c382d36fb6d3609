import { z } from 'zod';

/** gateway → cache, request-reply: entry counts of the tiers the cache service owns. */
export const CACHE_STATS_TOPIC = 'strata.cache.stats.v1';

export const cacheStatsRequestSchema = z.object({}).passthrough();

/** Audited semantic hits of one namespace and the wrong-hit rate they bound. */
export const namespaceWrongHitsSchema = z.object({
  audited: z.number().int().min(0),
  failed: z.number().int().min(0),
  /** failed / audited (0 before the first audit). */
  rate: z.number().min(0).max(1),
  /** The 95% Wilson upper bound of the wrong-hit rate. */
  upperBound: z.number().min(0).max(1),
  target: z.number().min(0).max(1).optional(),
});
export type NamespaceWrongHits = z.infer<typeof namespaceWrongHitsSchema>;

export const cacheStatsReplySchema = z.object({
  l2: z.number().int().min(0).nullable(),
  l3: z.number().int().min(0).nullable(),
  /**
   * Evictions a tier's backend counts by itself (Redis L2: `evicted_keys`, server-wide: every key of that server);
   * null when it does not answer. Absent for tiers whose evictions the cache service counts in its metrics.
   */
  backendEvictions: z.object({ l2: z.number().int().min(0).nullable() }).optional(),
  /** Hit verification of the answering cache service replica (absent when it is not configured). */
  verification: z
    .object({
      judgeCalls: z.number().int().min(0),
      verifiedHits: z.number().int().min(0),
      /** Judge calls and the tokens their endpoint reported, per tenant and namespace (additive: older replicas omit it). */
      judgeSpend: z
        .array(
          z.object({
            tenant: z.string(),
            namespace: z.string(),
            calls: z.number().int().min(0),
            inputTokens: z.number().int().min(0),
            outputTokens: z.number().int().min(0),
          }),
        )
        .optional(),
      namespaces: z.record(namespaceWrongHitsSchema),
      /**
       * Per `tenant/namespace` with a wrong-hit target: its similarity bands and whether each serves hits on similarity
       * alone (additive: older replicas omit it).
       */
      bands: z
        .record(
          z.object({
            target: z.number().min(0).max(1),
            bands: z.array(
              z.object({
                /** The band's floor (similarity); it is `bandWidth` wide. */
                from: z.number(),
                judged: z.number().int().min(0),
                wrong: z.number().int().min(0),
                /** The one-sided 95% Wilson upper bound of its wrong rate. */
                upperBound: z.number().min(0).max(1),
                /** Serves candidates on similarity alone (the upper bound is under the target). */
                open: z.boolean(),
              }),
            ),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type CacheStatsReply = z.infer<typeof cacheStatsReplySchema>;
