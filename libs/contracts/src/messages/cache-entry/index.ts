import { z } from 'zod';
import { cacheEntrySchema } from '../cache-entry.schema';

/** gateway → cache, request-reply: read one entry by id (tenant-checked). */
export const CACHE_ENTRY_GET_TOPIC = 'strata.cache.entry.get.v1';

export const cacheEntryGetRequestSchema = z.object({ tenant: z.string().min(1), id: z.string().min(1) });
export type CacheEntryGetRequest = z.infer<typeof cacheEntryGetRequestSchema>;

export const cacheEntryGetReplySchema = z.object({ entry: cacheEntrySchema.nullable() });
export type CacheEntryGetReply = z.infer<typeof cacheEntryGetReplySchema>;
