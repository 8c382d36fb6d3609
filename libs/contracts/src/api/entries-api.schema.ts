import { z } from 'zod';
import { jsonValueSchema } from '../messages/cache-entry.schema';
import { MAX_ENTRIES_PAGE, entrySortSchema } from '../messages/cache-entries';
import { namespaceSchema, tagSchema } from './chat.schema';

/** `GET /v1/cache/entries?namespace=&tag=&q=&sort=hits|recent&limit=&cursor=` (`tenant=`: admin keys only). */
export const entriesListQuerySchema = z
  .object({
    namespace: namespaceSchema.optional(),
    tag: tagSchema.optional(),
    q: z.string().min(1).max(500).optional(),
    sort: entrySortSchema.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_ENTRIES_PAGE).default(50),
    cursor: z.string().min(1).max(512).optional(),
    tenant: z.string().min(1).max(256).optional(),
  })
  .strict();
export type EntriesListQuery = z.infer<typeof entriesListQuerySchema>;

/** One exported entry (a line of `strata export`): what `POST /v1/cache/import` stores again under the same keys. */
export const importedEntrySchema = z.object({
  namespace: namespaceSchema,
  namespaceVersion: z.number().int().min(1),
  model: z.string().min(1).max(256),
  exactKey: z.string().regex(/^[0-9a-f]{64}$/, 'exactKey: 64 hex digits'),
  contextHash: z.string().regex(/^[0-9a-f]{64}$/, 'contextHash: 64 hex digits'),
  query: z.string().max(32_768),
  response: jsonValueSchema.refine((r) => r !== null, 'response is required'),
  tags: z.array(tagSchema).max(1_000).default([]),
  createdAt: z.string().datetime({ offset: true }),
  expiresAt: z.string().datetime({ offset: true }),
});
export type ImportedEntry = z.infer<typeof importedEntrySchema>;

export const MAX_IMPORT_BATCH = 100;

/** `POST /v1/cache/import`: entries exported from this tenant (keys embed the tenant: another's never match). */
export const importRequestSchema = z
  .object({ entries: z.array(importedEntrySchema).min(1).max(MAX_IMPORT_BATCH) })
  .strict();
export type ImportRequest = z.infer<typeof importRequestSchema>;
