import { z } from 'zod';
import { cacheEntrySchema } from '../cache-entry.schema';

/** gateway → cache, request-reply: one page of a tenant's entries, filtered and sorted (`GET /v1/cache/entries`). */
export const CACHE_ENTRIES_LIST_TOPIC = 'strata.cache.entries.list.v1';

/** `hits`: most hit first; `recent`: most recently hit first. Entries never hit follow, in the store's order. */
export const entrySortSchema = z.enum(['hits', 'recent']);
export type EntrySort = z.infer<typeof entrySortSchema>;

export const MAX_ENTRIES_PAGE = 200;

export const cacheEntriesListRequestSchema = z.object({
  tenant: z.string().min(1),
  namespace: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  /** Case-insensitive substring of the entry's query. */
  q: z.string().min(1).max(500).optional(),
  sort: entrySortSchema.optional(),
  limit: z.number().int().min(1).max(MAX_ENTRIES_PAGE),
  /** Opaque: the `nextCursor` of the previous page. */
  cursor: z.string().min(1).max(512).optional(),
});
export type CacheEntriesListRequest = z.infer<typeof cacheEntriesListRequestSchema>;

export const listedEntrySchema = z.object({
  entry: cacheEntrySchema,
  hits: z.number().int().min(0),
  /** Epoch milliseconds of the last hit; null when never hit. */
  lastHitAt: z.number().nullable(),
});
export type ListedEntryMessage = z.infer<typeof listedEntrySchema>;

export const cacheEntriesListReplySchema = z.object({
  entries: z.array(listedEntrySchema),
  /** Null when the listing is complete. A page may hold fewer than `limit` entries and still have a next one. */
  nextCursor: z.string().nullable(),
});
export type CacheEntriesListReply = z.infer<typeof cacheEntriesListReplySchema>;

/** gateway → cache, request-reply: live entries per namespace of one tenant. */
export const CACHE_NAMESPACES_TOPIC = 'strata.cache.namespaces.v1';

export const cacheNamespacesRequestSchema = z.object({ tenant: z.string().min(1) });
export type CacheNamespacesRequest = z.infer<typeof cacheNamespacesRequestSchema>;

export const cacheNamespacesReplySchema = z.object({
  namespaces: z.array(z.object({ name: z.string().min(1), entries: z.number().int().min(0) })),
});
export type CacheNamespacesReply = z.infer<typeof cacheNamespacesReplySchema>;
