import { Injectable } from '@nestjs/common';
import { EMBEDDING_EMBED_TOPIC, type EmbedReply, ErrorCode, StrataError, embedRequestSchema } from '@strata/contracts';
import { EmbeddingError, EmbeddingErrorCode, EmbeddingService, withoutStack } from '@strata/embedding';
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
    const { texts, budgetMs } = parsePayload(embedRequestSchema, data, EMBEDDING_EMBED_TOPIC);
    try {
      const result = await Tracing.span('embedding.embed', { 'strata.texts': texts.length }, () =>
        this.embeddings.embed(texts, budgetMs === undefined ? undefined : { budgetMs }),
      );
      return { model: result.model, dimensions: result.dimensions, vectors: result.vectors };
    } catch (error) {
      // A provider too far behind for the caller's budget is load shed, not a failure: the caller's own code says so.
      if (error instanceof EmbeddingError) {
        const code =
          error.code === EmbeddingErrorCode.PROVIDER_BUSY ? ErrorCode.RateLimited : ErrorCode.CacheUnavailable;
        // Its stack would only name this line (the cause is the provider's), and under overload every new text is
        // refused here: none is captured.
        throw withoutStack(() => new StrataError(code, `embedding failed: ${error.message}`));
      }
      throw error;
    }
  }
}
