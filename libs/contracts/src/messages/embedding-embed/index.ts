import { z } from 'zod';

/** cache → embedding, request-reply: vectors for texts (cached by model, dimension and text). */
export const EMBEDDING_EMBED_TOPIC = 'strata.embedding.embed.v1';

export const embedRequestSchema = z.object({
  texts: z.array(z.string()).min(1).max(256),
  /**
   * How long the caller will wait (ms; a cache lookup's remaining time): when the provider's backlog would outlast
   * it, the reply is an error at once, and the texts are still embedded and cached for the next caller. Unset: wait.
   */
  budgetMs: z.number().positive().max(600_000).optional(),
});
export type EmbedRequest = z.infer<typeof embedRequestSchema>;

export const embedReplySchema = z.object({
  model: z.string(),
  dimensions: z.number().int().positive(),
  vectors: z.array(z.array(z.number())),
});
export type EmbedReply = z.infer<typeof embedReplySchema>;
