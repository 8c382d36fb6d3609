import { z } from 'zod';
import { jsonValueSchema } from '../messages/cache-entry.schema';
import { semanticSelectorSchema } from '../messages/cache-purge';
import {
  chatMessageSchema,
  lookupModeSchema,
  modelSchema,
  namespaceSchema,
  paramsSchema,
  tagSchema,
  userIdSchema,
} from './chat.schema';

export const entryIdSchema = z.string().uuid();

/** Either OpenAI chat `messages` or a plain `prompt`, never both. */
const requestShape = {
  namespace: namespaceSchema.optional(),
  model: modelSchema,
  messages: z.array(chatMessageSchema).min(1, 'messages must not be empty').optional(),
  prompt: z.string().min(1, 'prompt must not be empty').optional(),
  params: paramsSchema.optional(),
  /** The end user, for namespaces with `scope: user` (ignored elsewhere). */
  user: userIdSchema.optional(),
};

function oneOfMessagesOrPrompt(value: { messages?: unknown; prompt?: unknown }, ctx: z.RefinementCtx): void {
  if ((value.messages === undefined) === (value.prompt === undefined)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'give exactly one of "messages" and "prompt"',
      path: ['messages'],
    });
  }
}

/** `POST /v1/cache/lookup` */
export const lookupRequestSchema = z
  .object({
    ...requestShape,
    mode: lookupModeSchema.optional(),
    threshold: z.number().min(0).max(1).optional(),
    /** Also return the semantic candidates considered, their cosine, evidence and verdict. */
    explain: z.boolean().optional(),
  })
  .strict()
  .superRefine(oneOfMessagesOrPrompt);
export type LookupRequest = z.infer<typeof lookupRequestSchema>;

/** `POST /v1/cache/entries` */
export const storeRequestSchema = z
  .object({
    ...requestShape,
    response: jsonValueSchema.refine((r) => r !== null, 'response is required'),
    tags: z.array(tagSchema).optional(),
    ttl: z.number().int().positive().optional(),
    /** A label selecting a default TTL (config `contentTypeTtlSeconds`), e.g. "pricing". */
    contentType: z.string().min(1).max(64).optional(),
    /** The `ticket` of the lookup that missed: guards against storing an answer a purge made stale. */
    ticket: z.number().int().min(0).optional(),
    /** How long the upstream took to compute `response`, in ms: hits on the namespace and model are credited with it (latency saved). */
    upstreamMs: z.number().min(0).max(3_600_000).optional(),
  })
  .strict()
  .superRefine(oneOfMessagesOrPrompt);
export type StoreRequest = z.infer<typeof storeRequestSchema>;

/** `POST /v1/cache/purge` */
export const purgeRequestSchema = z
  .object({
    tags: z.array(tagSchema).min(1).optional(),
    namespace: namespaceSchema.optional(),
    /** Purge by meaning (see `semanticSelectorSchema`); `namespace` narrows it. */
    semantic: semanticSelectorSchema.optional(),
    /** Forget this user: every entry of theirs in the user-scoped namespaces (narrowed by `namespace`), in every tier. */
    user: userIdSchema.optional(),
  })
  .strict()
  .refine(
    (v) => v.tags !== undefined || v.namespace !== undefined || v.semantic !== undefined || v.user !== undefined,
    'give "tags", "namespace", "semantic" or "user"',
  )
  .refine((v) => v.semantic === undefined || v.tags === undefined, {
    message: '"semantic" cannot be combined with "tags"',
    path: ['semantic'],
  })
  .refine((v) => v.user === undefined || (v.tags === undefined && v.semantic === undefined), {
    message: '"user" cannot be combined with "tags" or "semantic" (only with "namespace")',
    path: ['user'],
  });
export type PurgeRequest = z.infer<typeof purgeRequestSchema>;

/** `POST /v1/invalidations`: publishes a data-change event for the caller's tenant (the manual purge). */
export const invalidationRequestSchema = z
  .object({
    /** Event id (idempotency); generated when absent. */
    id: z.string().min(1).max(256).optional(),
    tags: z.array(tagSchema).max(10_000).optional(),
    namespace: namespaceSchema.optional(),
    entryIds: z.array(entryIdSchema).max(10_000).optional(),
    action: z.enum(['purge', 'invalidate']).optional(),
    reason: z.string().max(2_000).optional(),
    /** Purge by meaning (see `semanticSelectorSchema`); `namespace` narrows it. */
    semantic: semanticSelectorSchema.optional(),
    /** Forget this user (see the data-change event's `user`). */
    user: userIdSchema.optional(),
  })
  .strict()
  .refine(
    (v) =>
      (v.tags?.length ?? 0) > 0 ||
      v.namespace !== undefined ||
      (v.entryIds?.length ?? 0) > 0 ||
      v.semantic !== undefined ||
      v.user !== undefined,
    'give "tags", "namespace", "entryIds", "semantic" or "user"',
  )
  .refine(
    (v) =>
      v.user === undefined ||
      ((v.tags?.length ?? 0) === 0 && (v.entryIds?.length ?? 0) === 0 && v.semantic === undefined),
    {
      message: '"user" cannot be combined with "tags", "entryIds" or "semantic" (only with "namespace")',
      path: ['user'],
    },
  )
  .refine((v) => v.semantic === undefined || ((v.tags?.length ?? 0) === 0 && (v.entryIds?.length ?? 0) === 0), {
    message: '"semantic" cannot be combined with "tags" or "entryIds"',
    path: ['semantic'],
  });
export type InvalidationRequest = z.infer<typeof invalidationRequestSchema>;

/**
 * `POST /v1/cache/feedback`: a verdict on an answer the cache served, named by the entry id the client saw
 * (`id`, `x-strata-entry-id`) or by the request id of the answer (`X-Request-Id`, remembered for recent answers).
 * `query`: the request that was answered (as in a lookup), so that `wrong` names the (query, entry) pairing.
 */
export const feedbackRequestSchema = z
  .object({
    entryId: entryIdSchema.optional(),
    requestId: z.string().min(1).max(256).optional(),
    verdict: z.enum(['wrong', 'right']),
    query: z
      .object({ ...requestShape })
      .strict()
      .superRefine(oneOfMessagesOrPrompt)
      .optional(),
  })
  .strict()
  .refine((v) => (v.entryId === undefined) !== (v.requestId === undefined), 'give "entryId" or "requestId", not both')
  .refine((v) => v.query === undefined || v.entryId !== undefined, {
    message: '"query" goes with "entryId" (a request id already names the request)',
    path: ['query'],
  });
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;
