import { z } from 'zod';
import { namespaceSchema, tagSchema, userIdSchema } from '../../api/chat.schema';
import { semanticSelectorSchema } from '../cache-purge';

/**
 * What users publish when their data changes (keyed by tenant): every cached answer tagged with one of
 * `tags` (within `namespace` when given), or the whole namespace when no tags are given, is purged from
 * every tier. Additive changes only; an incompatible change is `strata.data-changes.v2`.
 */
export const DATA_CHANGES_TOPIC = 'strata.data-changes.v1';

export const dataChangeEventSchema = z
  .object({
    /** Unique per event: a replayed or duplicated event is applied once. */
    id: z.string().min(1).max(256),
    tenant: z.string().min(1).max(256),
    tags: z.array(tagSchema).max(10_000).default([]),
    namespace: namespaceSchema.optional(),
    reason: z.string().max(2_000).optional(),
    /** When the data changed (ISO 8601); measures event → purged latency. */
    occurredAt: z.string().datetime({ offset: true }),
    /**
     * `purge` (default): remove the selected entries now. `invalidate`: make them unreachable at once
     * and let them expire (cheap for whole namespaces: the "bump the namespace version" of the API).
     */
    action: z.enum(['purge', 'invalidate']).default('purge'),
    /** Entry ids to purge (each with every copy backfilled from it). */
    entryIds: z.array(z.string().uuid()).max(10_000).optional(),
    /**
     * Purge by meaning: entries whose question lies within `minSimilarity` (cosine) of `text`, in every context of
     * the tenant (within `namespace` when given). Replaces `tags`/`entryIds` as the selector.
     */
    semantic: semanticSelectorSchema.optional(),
    /**
     * Forget this user (an erasure request): every entry of theirs in the tenant's user-scoped namespaces (narrowed
     * by `namespace`), in every tier. The id as the requests gave it; Strata hashes it and never logs it.
     */
    user: userIdSchema.optional(),
  })
  .passthrough()
  .refine(
    (e) =>
      e.tags.length > 0 ||
      e.namespace !== undefined ||
      (e.entryIds?.length ?? 0) > 0 ||
      e.semantic !== undefined ||
      e.user !== undefined,
    {
      message: 'a data-change event needs tags, a namespace, entryIds, semantic or user',
    },
  )
  .refine(
    (e) => e.user === undefined || (e.tags.length === 0 && (e.entryIds?.length ?? 0) === 0 && e.semantic === undefined),
    {
      message: 'a user data-change event cannot also carry tags, entryIds or semantic (publish two events)',
    },
  )
  .refine((e) => e.semantic === undefined || (e.tags.length === 0 && (e.entryIds?.length ?? 0) === 0), {
    message: 'a semantic data-change event cannot also carry tags or entryIds (publish two events)',
  });
export type DataChangeEvent = z.infer<typeof dataChangeEventSchema>;
export type DataChangeEventInput = z.input<typeof dataChangeEventSchema>;
