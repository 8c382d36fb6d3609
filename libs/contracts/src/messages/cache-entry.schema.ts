import { z } from 'zod';

/** A cache entry as it crosses the transport (same fields as `CacheEntry` in @strata/cache-core). */
export const cacheEntrySchema = z.object({
  id: z.string().min(1),
  tenant: z.string().min(1),
  namespace: z.string().min(1),
  namespaceVersion: z.number().int().min(1),
  model: z.string().min(1),
  exactKey: z.string().regex(/^[0-9a-f]{64}$/),
  contextHash: z.string().regex(/^[0-9a-f]{64}$/),
  query: z.string(),
  response: z.unknown(),
  tags: z.array(z.string()),
  createdAt: z.number(),
  expiresAt: z.number(),
  aliasOf: z.string().optional(),
});
export type CacheEntryMessage = z.infer<typeof cacheEntrySchema>;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** Fields every keyed request carries: the fingerprint the gateway computed once. */
export const keyedRequestShape = {
  tenant: z.string().min(1),
  namespace: z.string().min(1),
  model: z.string().min(1),
  exactKey: hex64,
  contextHash: hex64,
  query: z.string(),
};
