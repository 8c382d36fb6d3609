export const EMBEDDER = Symbol('Embedder');

export interface Embedding {
  /** The model that produced the vector (collections in L3 are per model). */
  readonly model: string;
  readonly vector: number[];
}

/** How the cache service gets vectors: in both modes, a call to the embedding service over the transport. */
export interface Embedder {
  embed(text: string): Promise<Embedding>;
}
