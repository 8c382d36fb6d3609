import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EMBEDDING_EMBED_TOPIC, type EmbedReply, ErrorCode, StrataError, embedRequestSchema } from '@strata/contracts';
import { EmbeddingError, EmbeddingService } from '@strata/embedding';
import { StrataRpcExceptionFilter, parsePayload } from '@strata/transport';

@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class EmbeddingMessageController {
  constructor(private readonly embeddings: EmbeddingService) {}

  @MessagePattern(EMBEDDING_EMBED_TOPIC)
  async embed(@Payload() data: unknown): Promise<EmbedReply> {
    const { texts } = parsePayload(embedRequestSchema, data, EMBEDDING_EMBED_TOPIC);
    try {
      const result = await this.embeddings.embed(texts);
      return { model: result.model, dimensions: result.dimensions, vectors: result.vectors };
    } catch (error) {
      if (error instanceof EmbeddingError) throw new StrataError(ErrorCode.CacheUnavailable, `embedding failed: ${error.message}`);
      throw error;
    }
  }
}
