import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { EMBEDDING_EMBED_TOPIC, type EmbedReply } from '@strata/contracts';
import { StrataRpcExceptionFilter } from '@strata/transport';
import { EmbedRequests } from './embed-requests';

/** The embedding service's Kafka handler: one line into {@link EmbedRequests}. */
@Controller()
@UseFilters(StrataRpcExceptionFilter)
export class EmbeddingMessageController {
  constructor(private readonly requests: EmbedRequests) {}

  @MessagePattern(EMBEDDING_EMBED_TOPIC)
  embed(@Payload() data: unknown): Promise<EmbedReply> {
    return this.requests.embed(data);
  }
}
