import { z } from 'zod';

/** A content part of an OpenAI chat message (`text`, `image_url`, `input_audio`, ...). */
export const contentPartSchema = z.object({ type: z.string().min(1) }).passthrough();

/** One OpenAI chat message. Unknown fields are kept (and keyed): they may change the answer. */
export const chatMessageSchema = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
    content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
    name: z.string().optional(),
    tool_calls: z.array(z.unknown()).optional(),
    tool_call_id: z.string().optional(),
  })
  .passthrough();
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** Namespaces: short names safe in keys, tags, metrics and Kafka keys. */
export const namespaceSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only, starting with a letter or digit');

/** Tags name the data an answer depends on, e.g. `product:123`. `$` is reserved for Strata's own tags. */
export const tagSchema = z
  .string()
  .min(1)
  .max(256)
  .refine((t) => !t.startsWith('$'), 'tags starting with "$" are reserved');

export const modelSchema = z.string().trim().min(1).max(256);

/**
 * The end user a request is for (user-scoped namespaces: their answers are kept apart per user, and purged per user).
 * Hashed with the deployment's salt before it is used; never stored or logged as given.
 */
export const userIdSchema = z.string().min(1).max(256);

/** Generation params (temperature, top_p, max_tokens, tools, response_format, seed, ...). */
export const paramsSchema = z.record(z.string(), z.unknown());

export const lookupModeSchema = z.enum(['exact', 'semantic', 'auto']);
export type LookupMode = z.infer<typeof lookupModeSchema>;
