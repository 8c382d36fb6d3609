import { z } from 'zod';

/** Any JSON value: what an entry's response is (it arrived as JSON and leaves as JSON). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A required JSON value (undefined is not JSON). */
export const jsonValueSchema = z.custom<JsonValue>((v) => v !== undefined, 'a JSON value is required');

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
  response: jsonValueSchema,
  tags: z.array(z.string()).readonly(),
  createdAt: z.number(),
  expiresAt: z.number(),
  generation: z.number().int().min(0).optional(),
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
