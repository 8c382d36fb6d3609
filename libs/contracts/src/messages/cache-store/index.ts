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
  /** The ticket of the lookup that missed; a purge after it makes this store stale (refused). */
  ticket: z.number().int().min(0).optional(),
  /**
   * When the reply comes. `wait` (default): once both tiers answered, so `l3` says whether L3 took the entry (the
   * API's stores). `background`: once L2 holds the entry; its semantic half (embedding, L3) goes on after the reply
   * (`l3Pending`): the proxy's stores after misses, which nobody waits for and which must not queue behind the encoder.
   */
  semantic: z.enum(['wait', 'background']).optional(),
});
export type CacheStoreRequest = z.infer<typeof cacheStoreRequestSchema>;

export const cacheStoreReplySchema = z.object({
  id: z.string(),
  l2: z.boolean(),
  l3: z.boolean(),
  /** The L3 write goes on after this reply (a `background` store that L2 took): `l3` is false until it is known. */
  l3Pending: z.boolean().optional(),
  /** True when a purge since the ticket touched the entry's tags or namespace: nothing was stored. */
  stale: z.boolean().optional(),
  generation: z.number().int().min(0).optional(),
});
export type CacheStoreReply = z.infer<typeof cacheStoreReplySchema>;
