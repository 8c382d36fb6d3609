import { z } from 'zod';
import { chatMessageSchema, modelSchema, namespaceSchema } from '@strata/contracts';

/*
 * The provider APIs the gateway proxies, as far as the OpenAPI document describes them: the fields Strata reads
 * (the rest passes through untouched to the upstream, so the objects stay open). Their full definitions
 * are the providers' own API references.
 */

/** `POST /v1/chat/completions`: an OpenAI chat request. */
export const chatCompletionBodySchema = z
  .object({
    model: modelSchema,
    messages: z.array(chatMessageSchema).min(1),
    temperature: z.number().min(0).max(2).optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().nullable().optional() }).passthrough().nullable().optional(),
  })
  .passthrough();

/** `POST /v1/embeddings`: an OpenAI embeddings request. */
export const embeddingsBodySchema = z
  .object({
    model: modelSchema,
    input: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
  })
  .passthrough();

/** `POST /v1/messages`: an Anthropic Messages request. */
export const anthropicMessagesBodySchema = z
  .object({
    model: modelSchema,
    max_tokens: z.number().int().positive(),
    messages: z
      .array(
        z
          .object({
            role: z.enum(['user', 'assistant']),
            content: z.union([z.string(), z.array(z.object({ type: z.string() }).passthrough())]),
          })
          .passthrough(),
      )
      .min(1),
    system: z.union([z.string(), z.array(z.object({ type: z.string() }).passthrough())]).optional(),
    temperature: z.number().min(0).max(1).optional(),
    stream: z.boolean().nullable().optional(),
  })
  .passthrough();

/** The Strata headers a proxied request may carry (namespace, tags, TTL, lookup mode and threshold, end user). */
export const proxyHeadersSchema = z.object({
  'x-strata-namespace': namespaceSchema.optional(),
  'x-strata-tags': z.string().optional(),
  'x-strata-ttl': z.string().regex(/^\d+$/).optional(),
  'x-strata-cache-mode': z.string().optional(),
  'x-strata-threshold': z.string().optional(),
  'x-strata-user': z.string().optional(),
});
