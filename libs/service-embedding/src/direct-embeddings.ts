import { Injectable } from '@nestjs/common';
import {
  EMBEDDING_EMBED_TOPIC,
  type CallOptions,
  type EmbedReply,
  type EmbedRequest,
  type Embeddings,
} from '@strata/contracts';
import { withDeadline } from '@strata/transport';
import { EmbedRequests } from './embed-requests';

/** {@link Embeddings} for the embedded default: a direct call into the embedding service in this process. */
@Injectable()
export class DirectEmbeddings implements Embeddings {
  constructor(private readonly requests: EmbedRequests) {}

  embed(request: EmbedRequest, { timeoutMs }: CallOptions): Promise<EmbedReply> {
    return withDeadline(this.requests.embed(request), timeoutMs, EMBEDDING_EMBED_TOPIC);
  }
}
