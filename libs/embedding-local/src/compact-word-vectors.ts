import { type WordVectors } from '@strata/embedding';
import { type CompactVectors } from './compact-vectors.format';

/**
 * Size of the vocabulary GloVe 6B was counted over. With Zipf's law it turns a frequency rank into a
 * probability: p(rank) ≈ 1 / ((rank + 1) · ln(1.78 · V)), so no corpus is needed for IDF or SIF weights.
 */
const ZIPF_VOCABULARY = 400_000;
const ZIPF_NORMALIZER = Math.log(1.78 * ZIPF_VOCABULARY);

/**
 * The `WordVectors` port over a frequency-ordered table held as int8 codes (`vector ≈ code · scale`).
 * Lookups are a Map get; similarities are computed on the codes directly. Ids are frequency ranks
 * (0 = most frequent); -1 means "not in the vocabulary".
 */
export class CompactWordVectors implements WordVectors {
  readonly dimensions: number;
  readonly size: number;
  private readonly ids: Map<string, number>;
  private readonly scales: Float32Array;
  private readonly codes: Int8Array;
  /** L2 norm of each row of codes (not of the real vector): cosine = codes·codes / (codeNorm·codeNorm). */
  private readonly codeNorms: Float32Array;

  constructor(table: CompactVectors) {
    this.dimensions = table.dimensions;
    this.size = table.words.length;
    this.scales = table.scales;
    this.codes = table.codes;
    this.ids = new Map();
    const { words } = table;
    for (let id = words.length - 1; id >= 0; id--) this.ids.set(words[id], id);
    this.codeNorms = new Float32Array(this.size);
    const dims = this.dimensions;
    for (let id = 0; id < this.size; id++) {
      let sum = 0;
      for (let d = id * dims, end = d + dims; d < end; d++) sum += this.codes[d] * this.codes[d];
      this.codeNorms[id] = Math.sqrt(sum);
    }
  }

  /** Frequency rank of a (lower-case) word, or -1 when it is not in the table. */
  id(word: string): number {
    return this.ids.get(word) ?? -1;
  }

  /** Estimated unigram probability of a word by its rank; unknown words (-1) get the smallest one. */
  probability(id: number): number {
    const rank = id < 0 ? ZIPF_VOCABULARY : id;
    return 1 / ((rank + 1) * ZIPF_NORMALIZER);
  }

  /** Self-information −ln p(word), in nats: ~2.6 for "the", ~9.5 for rank 1 000, ~15.5 when unknown. */
  information(id: number): number {
    return -Math.log(this.probability(id));
  }

  /** Cosine similarity of two known words (ids ≥ 0). */
  cosine(a: number, b: number): number {
    if (a === b) return 1;
    const dims = this.dimensions;
    const codes = this.codes;
    let dot = 0;
    for (let i = a * dims, j = b * dims, end = i + dims; i < end; i++, j++) dot += codes[i] * codes[j];
    const norms = this.codeNorms[a] * this.codeNorms[b];
    return norms === 0 ? 0 : dot / norms;
  }

  /** `target += weight · vector(id)` (the dequantised vector). */
  addTo(target: Float32Array, id: number, weight: number): void {
    const dims = this.dimensions;
    const w = weight * this.scales[id];
    for (let d = 0, i = id * dims; d < dims; d++, i++) target[d] += w * this.codes[i];
  }

  /** L2 norm of the dequantised vector. */
  norm(id: number): number {
    return this.codeNorms[id] * this.scales[id];
  }
}
