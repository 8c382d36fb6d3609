import { tokenize } from './tokenizer';
import { type WordVectors } from './word-vectors.port';

/** SIF smoothing: a word of probability p weighs a / (a + p) (Arora et al., 2017). */
const SIF_A = 1e-3;
/** How many of the most frequent words estimate the common component (they carry most of its mass). */
const COMMON_COMPONENT_WORDS = 20_000;

/** GloVe (as packaged) has no digit tokens: small numbers read as their names, so "5" ≈ "five". */
const NUMBER_NAMES: ReadonlyMap<string, string> = new Map(
  [
    'zero',
    'one',
    'two',
    'three',
    'four',
    'five',
    'six',
    'seven',
    'eight',
    'nine',
    'ten',
    'eleven',
    'twelve',
    'thirteen',
    'fourteen',
    'fifteen',
    'sixteen',
    'seventeen',
    'eighteen',
    'nineteen',
    'twenty',
  ].map((name, value) => [String(value), name]),
);

/**
 * Sentence vectors as SIF-weighted averages of GloVe word vectors with the common component removed:
 * frequent words weigh little, rare words much, and the direction every average shares is projected out.
 * Words GloVe doesn't know (names, numbers, codes) get a deterministic pseudo-random vector of their own,
 * so "What is Zorblax?" and "What is Quintaro?" are not made equal by dropping the only word that matters.
 * The output is L2-normalised: cosine = dot product.
 */
export class SentenceEncoder {
  private readonly common: Float32Array;
  private readonly unknownNorm: number;
  private readonly isKnown = (word: string): boolean => this.vectors.id(word) >= 0;

  constructor(private readonly vectors: WordVectors) {
    this.common = this.commonComponent();
    this.unknownNorm = this.typicalRareNorm();
  }

  get dimensions(): number {
    return this.vectors.dimensions;
  }

  encode(text: string): Float32Array {
    const dims = this.vectors.dimensions;
    const out = new Float32Array(dims);
    const tokens = tokenize(text, this.isKnown);
    for (const token of tokens) {
      const id = this.vectors.id(NUMBER_NAMES.get(token) ?? token);
      const weight = SIF_A / (SIF_A + this.vectors.probability(id));
      if (id >= 0) this.vectors.addTo(out, id, weight);
      else addPseudoRandom(out, token, weight * this.unknownNorm);
    }
    if (tokens.length === 0) addPseudoRandom(out, text, 1);
    let projection = 0;
    for (let d = 0; d < dims; d++) projection += out[d] * this.common[d];
    for (let d = 0; d < dims; d++) out[d] -= projection * this.common[d];
    return normalize(out, text);
  }

  /** Unit vector along the probability- and SIF-weighted mean of the vocabulary's vectors. */
  private commonComponent(): Float32Array {
    const dims = this.vectors.dimensions;
    const mean = new Float32Array(dims);
    const words = Math.min(COMMON_COMPONENT_WORDS, this.vectors.size);
    for (let id = 0; id < words; id++) {
      const p = this.vectors.probability(id);
      this.vectors.addTo(mean, id, (p * SIF_A) / (SIF_A + p));
    }
    return normalize(mean, '');
  }

  /** Mean norm of the rarest known words: the scale given to unknown words' vectors. */
  private typicalRareNorm(): number {
    const from = Math.max(0, this.vectors.size - 1000);
    let sum = 0;
    for (let id = from; id < this.vectors.size; id++) sum += this.vectors.norm(id);
    return this.vectors.size > from ? sum / (this.vectors.size - from) : 1;
  }
}

/** Adds `scale ·` a unit vector derived from the word's FNV-1a hash (xorshift32, centred uniform). */
function addPseudoRandom(target: Float32Array, word: string, scale: number): void {
  let state = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) state = Math.imul(state ^ word.charCodeAt(i), 0x01000193);
  const dims = target.length;
  // Uniform(-1, 1) components have variance 1/3: sqrt(3 / dims) makes the expected norm 1.
  const unit = Math.sqrt(3 / dims);
  for (let d = 0; d < dims; d++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    target[d] += scale * unit * ((state >>> 0) / 0x80000000 - 1);
  }
}

function normalize(vector: Float32Array, seed: string): Float32Array {
  let sum = 0;
  for (let d = 0; d < vector.length; d++) sum += vector[d] * vector[d];
  if (sum === 0) {
    addPseudoRandom(vector, seed, 1);
    return normalize(vector, `${seed}\0`);
  }
  const inv = 1 / Math.sqrt(sum);
  for (let d = 0; d < vector.length; d++) vector[d] *= inv;
  return vector;
}
