import { Inject, Injectable } from '@nestjs/common';
import { type EmbedOptions, type Embedder, type Embedding } from '@strata/cache-core';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { EMBEDDINGS, type Embeddings } from '@strata/contracts';
import { LRUCache } from 'lru-cache';

/** How long the latest embedding's model is taken as the one lookups' vectors would come from. */
const RECENT_MODEL_MS = 60_000;

/**
 * The cache service's `Embedder`: asks the embedding service (its {@link Embeddings} port). A miss's query is
 * embedded during the lookup and, when the answer is stored moments later, the vector is reused from this small
 * LRU instead of asking again. It remembers the model of its latest embedding for a minute (`recentModel`): the L3
 * collection a lookup asks about before embedding (the embedding service may change models; the cache service learns
 * the new one from the next embedding it gets).
 */
@Injectable()
export class EmbeddingsEmbedder implements Embedder {
  private readonly recent = new LRUCache<string, Embedding>({ max: 2_048, ttl: 60_000 });
  private readonly timeoutMs: number;
  private latest: { readonly model: string; readonly at: number } | undefined;

  constructor(
    @Inject(EMBEDDINGS) private readonly embeddings: Embeddings,
    @Inject(STRATA_CONFIG) config: StrataConfig,
  ) {
    this.timeoutMs = config.embedding.timeoutMs;
  }

  async embed(text: string, options: EmbedOptions = {}): Promise<Embedding> {
    const cached = this.recent.get(text);
    if (cached) return cached;
    const request = options.budgetMs === undefined ? { texts: [text] } : { texts: [text], budgetMs: options.budgetMs };
    const reply = await this.embeddings.embed(request, { timeoutMs: this.timeoutMs, requestId: options.requestId });
    const vector = reply.vectors[0];
    if (!vector) throw new Error('embedding service returned no vector');
    const embedding = { model: reply.model, vector };
    this.recent.set(text, embedding);
    this.latest = { model: reply.model, at: performance.now() };
    return embedding;
  }

  recentModel(): string | undefined {
    const latest = this.latest;
    return latest !== undefined && performance.now() - latest.at < RECENT_MODEL_MS ? latest.model : undefined;
  }
}
