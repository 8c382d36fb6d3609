import { z } from 'zod';

/** cache → embedding, request-reply: vectors for texts (cached by model, dimension and text). */
export const EMBEDDING_EMBED_TOPIC = 'strata.embedding.embed.v1';

export const embedRequestSchema = z.object({ texts: z.array(z.string()).min(1).max(256) });
export type EmbedRequest = z.infer<typeof embedRequestSchema>;

export const embedReplySchema = z.object({
  model: z.string(),
  dimensions: z.number().int().positive(),
  vectors: z.array(z.array(z.number())),
});
export type EmbedReply = z.infer<typeof embedReplySchema>;
