import { z } from 'zod';
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
