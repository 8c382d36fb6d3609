export const EMBEDDER = Symbol('Embedder');

export interface Embedding {
  /** The model that produced the vector (collections in L3 are per model). */
  readonly model: string;
  readonly vector: number[];
}

/** How the cache service gets vectors: in both modes, a call to the embedding service over the transport. */
export interface Embedder {
  /**
   * With `budgetMs` (a lookup's remaining time), rejects at once when the embedding would come later than that; the
   * text is still embedded for the next caller (the answer's store).
   */
  embed(text: string, options?: { readonly budgetMs?: number }): Promise<Embedding>;
}
