import {
  EMBEDDING_EMBED_TOPIC,
  type CallOptions,
  type EmbedReply,
  type EmbedRequest,
  type Embeddings,
  embedReplySchema,
} from '@strata/contracts';
import { type KafkaMessaging } from '../kafka/kafka-messaging';
import { parseReply } from '../parse-reply';

/** {@link Embeddings} over Kafka request-reply; every reply is validated against its contract. */
export class KafkaEmbeddings implements Embeddings {
  constructor(private readonly kafka: KafkaMessaging) {}

  async embed(request: EmbedRequest, options: CallOptions): Promise<EmbedReply> {
    return parseReply(
      embedReplySchema,
      await this.kafka.request(EMBEDDING_EMBED_TOPIC, request, options),
      EMBEDDING_EMBED_TOPIC,
    );
  }
}
