/**
 * A frequency-ordered word-vector table: what the sentence encoder and the semantic verifier ask of word
 * vectors. Ids are frequency ranks (0 = most frequent); -1 means "not in the vocabulary". Adapter: the local
 * GloVe table (`@strata/embedding-local`).
 */
export interface WordVectors {
  readonly dimensions: number;
  /** Number of words in the table. */
  readonly size: number;
  /** Frequency rank of a (lower-case) word, or -1 when it is not in the table. */
  id(word: string): number;
  /** Estimated unigram probability of a word by its rank; unknown words (-1) get the smallest one. */
  probability(id: number): number;
  /** Self-information −ln p(word), in nats. */
  information(id: number): number;
  /** Cosine similarity of two known words (ids ≥ 0). */
  cosine(a: number, b: number): number;
  /** `target += weight · vector(id)`. */
  addTo(target: Float32Array, id: number, weight: number): void;
  /** L2 norm of a word's vector. */
  norm(id: number): number;
}
