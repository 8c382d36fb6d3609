import { z } from 'zod';
import { jsonValueSchema, keyedRequestShape } from '../cache-entry.schema';

/** gateway → cache: store an answer in L2 and L3 (request-reply from the API, event from the proxy). */
export const CACHE_STORE_TOPIC = 'strata.cache.store.v1';

export const cacheStoreRequestSchema = z.object({
  ...keyedRequestShape,
  namespaceVersion: z.number().int().min(1),
  response: jsonValueSchema,
  tags: z.array(z.string()),
  ttlSeconds: z.number().int().positive(),
  /** Epoch ms at which the gateway accepted the store (entries' createdAt). */
  storedAt: z.number(),
});
export type CacheStoreRequest = z.infer<typeof cacheStoreRequestSchema>;

export const cacheStoreReplySchema = z.object({
  id: z.string(),
  l2: z.boolean(),
  l3: z.boolean(),
});
export type CacheStoreReply = z.infer<typeof cacheStoreReplySchema>;
