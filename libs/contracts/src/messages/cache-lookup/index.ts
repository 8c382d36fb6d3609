import { z } from 'zod';
import { lookupModeSchema } from '../../api/chat.schema';
import { cacheEntrySchema, keyedRequestShape } from '../cache-entry.schema';

/** gateway → cache, request-reply: look a request up in L2 (exact) and L3 (semantic). */
export const CACHE_LOOKUP_TOPIC = 'strata.cache.lookup.v1';

export const cacheLookupRequestSchema = z.object({
  ...keyedRequestShape,
  mode: lookupModeSchema,
  /** Unset: the cache service's default threshold. */
  threshold: z.number().min(0).max(1).optional(),
  /**
   * The namespace's own threshold (resolved by the gateway from its policy), which `threshold` may loosen for this
   * request: a semantic hit is remembered as an exact answer only at or above it. Unset: the cache service's default.
   */
  namespaceThreshold: z.number().min(0).max(1).optional(),
  /** Return the semantic candidates considered and why each was accepted or rejected. */
  explain: z.boolean().optional(),
  /**
   * How long the gateway waits for this lookup (ms): the semantic step does not wait for an embedding its provider
   * cannot deliver in what is left of it (the lookup answers a miss at once). Unset: it waits.
   */
  budgetMs: z.number().positive().max(600_000).optional(),
  /** The namespace's hit verification (resolved by the gateway from its policy); absent: none. */
  verification: z
    .object({
      /** The model judge for the borderline band: `inline` waits for it, `learn` judges in the background. */
      judge: z.enum(['inline', 'learn']).optional(),
      /** The wrong-hit rate the namespace accepts (audited served semantic hits keep its upper bound under it). */
      maxWrongHitRate: z.number().min(0).max(1).optional(),
      /** The share of served semantic hits audited by the judge in the background. */
      auditShare: z.number().min(0).max(1).optional(),
      /** `shadow`: the gateway audits the share with a fresh upstream call; the judge does not audit it. */
      audit: z.enum(['judge', 'shadow']).optional(),
    })
    .optional(),
});

/** What an `explain` lookup returns about its semantic step (candidates of the same tenant and context only). */
export const lookupExplanationSchema = z.object({
  threshold: z.number(),
  /** Cosine lead the served candidate needs over every other one. */
  margin: z.number(),
  candidates: z.array(
    z.object({
      id: z.string(),
      query: z.string(),
      cosine: z.number(),
      similarity: z.number(),
      accepted: z.boolean(),
      /** 'match', a veto ('direction-mismatch', 'antonym', …) or why the similarity fell short. */
      reason: z.string(),
      detail: z.string().optional(),
      evidence: z.record(z.number()).optional(),
    }),
  ),
  /** The candidate served, if any. */
  chosen: z.string().optional(),
});
export type LookupExplanation = z.infer<typeof lookupExplanationSchema>;
export type CacheLookupRequest = z.infer<typeof cacheLookupRequestSchema>;

export const cacheLookupReplySchema = z.discriminatedUnion('hit', [
  z.object({
    hit: z.literal(false),
    /** The tenant's purge generation at lookup time: store the answer with it (see PurgeGenerations). */
    ticket: z.number().int().min(0).optional(),
    /** `busy`: the semantic step was not taken, its embedding would have come after the lookup's `budgetMs`. */
    semantic: z.literal('busy').optional(),
    /**
     * With `semantic: 'busy'`: the lookup's `budgetMs` had already run out when it reached the cache service (it spent
     * it on its way, queued in Kafka), so no embedding was asked for. Its sender has most likely stopped waiting.
     */
    late: z.literal(true).optional(),
    explain: lookupExplanationSchema.optional(),
  }),
  z.object({
    hit: z.literal(true),
    tier: z.enum(['l2', 'l3']),
    entry: cacheEntrySchema,
    similarity: z.number().optional(),
    /** L3 hits: whether the match was copied under the request's exact key (false for matches accepted only under a looser threshold than the default). */
    backfilled: z.boolean().optional(),
    /** L3 hits the model judge decided (the similarity alone was below the threshold). */
    verified: z.boolean().optional(),
    explain: lookupExplanationSchema.optional(),
  }),
]);
export type CacheLookupReply = z.infer<typeof cacheLookupReplySchema>;
