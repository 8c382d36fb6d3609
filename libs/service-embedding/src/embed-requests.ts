import { Injectable } from '@nestjs/common';
import { EMBEDDING_EMBED_TOPIC, type EmbedReply, ErrorCode, StrataError, embedRequestSchema } from '@strata/contracts';
import { EmbeddingError, EmbeddingService } from '@strata/embedding';
import { Tracing } from '@strata/observability';
import { parsePayload } from '@strata/transport';

/**
 * The embedding service's requests, validated against their contract: served over Kafka by
 * {@link EmbeddingMessageController} and called directly in the embedded default ({@link DirectEmbeddings}).
 */
@Injectable()
export class EmbedRequests {
  constructor(private readonly embeddings: EmbeddingService) {}

  async embed(data: unknown): Promise<EmbedReply> {
    const { texts } = parsePayload(embedRequestSchema, data, EMBEDDING_EMBED_TOPIC);
    try {
      const result = await Tracing.span('embedding.embed', { 'strata.texts': texts.length }, () =>
        this.embeddings.embed(texts),
      );
      return { model: result.model, dimensions: result.dimensions, vectors: result.vectors };
    } catch (error) {
      if (error instanceof EmbeddingError)
        throw new StrataError(ErrorCode.CacheUnavailable, `embedding failed: ${error.message}`);
      throw error;
    }
  }
}
