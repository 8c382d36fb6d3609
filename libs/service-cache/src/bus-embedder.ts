import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { type Embedder, type Embedding } from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { EMBEDDING_EMBED_TOPIC, type EmbedReply } from '@strata/contracts';
import { EMBEDDING_CLIENT, requestReply } from '@strata/transport';
import { LRUCache } from 'lru-cache';


/**
 * The cache service's `Embedder`: asks the embedding service over the transport. A miss's query is
 * embedded during the lookup and, when the answer is stored moments later, the vector is reused from
 * this small LRU instead of crossing the transport again.
 */
@Injectable()
export class BusEmbedder implements Embedder {
  private readonly recent = new LRUCache<string, Embedding>({ max: 2_048, ttl: 60_000 });
  private readonly timeoutMs: number;

  constructor(
    @Inject(EMBEDDING_CLIENT) private readonly client: ClientProxy,
    @Inject(STRATA_CONFIG) config: StrataConfig,
  ) {
    this.timeoutMs = config.embedding.timeoutMs;
  }

  async embed(text: string): Promise<Embedding> {
    const cached = this.recent.get(text);
    if (cached) return cached;
    const reply = await requestReply<EmbedReply>(this.client, EMBEDDING_EMBED_TOPIC, { texts: [text] }, this.timeoutMs);
    const vector = reply.vectors[0];
    if (!vector) throw new Error('embedding service returned no vector');
    const embedding = { model: reply.model, vector };
    this.recent.set(text, embedding);
    return embedding;
  }
}
