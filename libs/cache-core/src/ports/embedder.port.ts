import { type RequestContext } from '@strata/contracts';

export const EMBEDDER = Symbol('Embedder');

export interface Embedding {
  /** The model that produced the vector (collections in L3 are per model). */
  readonly model: string;
  readonly vector: number[];
}

/**
 * `budgetMs` (a lookup's remaining time): rejects at once when the embedding would come later than that; the text is
 * still embedded for the next caller (the answer's store). `requestId`: the request the embedding is for.
 */
export interface EmbedOptions extends RequestContext {
  readonly budgetMs?: number;
}

/** How the cache service gets vectors: in both modes, a call to the embedding service over the transport. */
export interface Embedder {
  embed(text: string, options?: EmbedOptions): Promise<Embedding>;
  /**
   * The model of an embedding this embedder received lately (the collection a lookup's vector would search); undefined
   * when it has received none lately, and always from an embedder that cannot tell.
   */
  recentModel?(): string | undefined;
}
