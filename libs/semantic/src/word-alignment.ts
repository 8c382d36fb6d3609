import { type WordVectors } from '@strata/embedding';
import { type ContentWord, type TextAnalysis } from './text-analysis';

/** Word-level evidence that two questions mean the same: each in 0..1 except where noted. */
export interface AlignmentFeatures {
  /** IDF-weighted share of content words with an exact or same-stem counterpart (the weaker direction). */
  readonly exactCoverage: number;
  /** As `exactCoverage`, but near-synonyms (word-vector cosine ≥ SOFT_MIN) count by their cosine. */
  readonly softCoverage: number;
  /** Weight of the most informative content word with no counterpart at all, / 10. */
  readonly unmatched: number;
  /** Weight of the most informative word matched only by a near-synonym (a swapped entity?), / 10. */
  readonly substituted: number;
  /** IDF-weighted share of exactly matched words governed by different prepositions (swapped roles). */
  readonly roleMismatch: number;
  /** Weighted share of exactly matched words (and numbers) out of order: outside the heaviest common
   * subsequence of the two word orders ("A beat B" vs "B beat A", "born in X in 1923" vs "in 1923 in X"). */
  readonly reordered: number;
  /** 1 when the questions use different question words (what/how/why…). */
  readonly questionMismatch: number;
  /** 1 when they use pronouns of different grammatical persons ("I" vs "you"). */
  readonly personMismatch: number;
  /** 1 when they use different modals or tenses ("can" vs "should", "do" vs "did"). */
  readonly modalMismatch: number;
}

/** Word-vector cosine from which two different words count as near-synonyms. */
export const SOFT_MIN = 0.5;
/** Above this many word pairs, only exact matches are looked for (long texts stay linear). */
const MAX_SOFT_PAIRS = 4096;
/** Order is checked among at most this many matched words (quadratic). */
const MAX_ORDERED = 48;

export function alignWords(a: TextAnalysis, b: TextAnalysis, vectors: WordVectors): AlignmentFeatures {
  const aw = a.content;
  const bw = b.content;
  const bestA = new Float64Array(aw.length);
  const bestB = new Float64Array(bw.length);
  const exactPartner = new Int32Array(aw.length).fill(-1);

  const bByStem = new Map<string, number>();
  for (let j = 0; j < bw.length; j++) if (!bByStem.has(bw[j].stem)) bByStem.set(bw[j].stem, j);
  for (let i = 0; i < aw.length; i++) {
    const j = bByStem.get(aw[i].stem);
    if (j !== undefined) {
      bestA[i] = 1;
      bestB[j] = 1;
      exactPartner[i] = j;
    }
  }
  const aStems = new Set(aw.map((w) => w.stem));
  for (let j = 0; j < bw.length; j++) if (aStems.has(bw[j].stem)) bestB[j] = 1;

  if (aw.length * bw.length <= MAX_SOFT_PAIRS) {
    for (let i = 0; i < aw.length; i++) {
      const x = aw[i];
      if (x.id < 0 || x.name) continue;
      for (let j = 0; j < bw.length; j++) {
        const y = bw[j];
        if (y.id < 0 || y.name || (bestA[i] === 1 && bestB[j] === 1)) continue;
        const cosine = vectors.cosine(x.id, y.id);
        if (cosine < SOFT_MIN) continue;
        if (cosine > bestA[i]) bestA[i] = cosine;
        if (cosine > bestB[j]) bestB[j] = cosine;
      }
    }
  }

  return {
    exactCoverage: Math.min(coverage(aw, bestA, true), coverage(bw, bestB, true)),
    softCoverage: Math.min(coverage(aw, bestA, false), coverage(bw, bestB, false)),
    unmatched: Math.max(maxWeight(aw, bestA, 0, 0), maxWeight(bw, bestB, 0, 0)) / 10,
    substituted: Math.max(maxWeight(aw, bestA, SOFT_MIN, 1), maxWeight(bw, bestB, SOFT_MIN, 1)) / 10,
    roleMismatch: roleMismatch(aw, bw, exactPartner),
    reordered: reordered(aw, bw, exactPartner),
    questionMismatch: a.questionWords === b.questionWords ? 0 : 1,
    personMismatch: a.persons === b.persons ? 0 : 1,
    modalMismatch: a.modals === b.modals ? 0 : 1,
  };
}

function coverage(words: readonly ContentWord[], best: Float64Array, exactOnly: boolean): number {
  let total = 0;
  let covered = 0;
  for (let i = 0; i < words.length; i++) {
    total += words[i].weight;
    covered += words[i].weight * (exactOnly ? (best[i] === 1 ? 1 : 0) : best[i]);
  }
  return total === 0 ? 1 : covered / total;
}

/** Largest weight among words whose best credit c satisfies min ≤ c < max (or c === 0 when both are 0). */
function maxWeight(words: readonly ContentWord[], best: Float64Array, min: number, max: number): number {
  let largest = 0;
  for (let i = 0; i < words.length; i++) {
    const credit = best[i];
    const hit = max === 0 ? credit === 0 : credit >= min && credit < max;
    if (hit && words[i].weight > largest) largest = words[i].weight;
  }
  return largest;
}

function roleMismatch(aw: readonly ContentWord[], bw: readonly ContentWord[], partner: Int32Array): number {
  let total = 0;
  let mismatched = 0;
  for (let i = 0; i < aw.length; i++) {
    const j = partner[i];
    if (j < 0 || aw[i].repeated || bw[j].repeated) continue;
    total += aw[i].weight;
    if (aw[i].role !== bw[j].role) mismatched += aw[i].weight;
  }
  return total === 0 ? 0 : mismatched / total;
}

/**
 * Weighted longest increasing subsequence of the partners' positions, in A's order: the matched words
 * that keep their relative order. What is left over was moved.
 */
function reordered(aw: readonly ContentWord[], bw: readonly ContentWord[], partner: Int32Array): number {
  const order: number[] = [];
  for (let i = 0; i < aw.length && order.length < MAX_ORDERED; i++) {
    const j = partner[i];
    if (j >= 0 && !aw[i].repeated && !bw[j].repeated) order.push(i);
  }
  if (order.length < 2) return 0;
  const best = new Float64Array(order.length);
  let total = 0;
  let kept = 0;
  for (let p = 0; p < order.length; p++) {
    const x = aw[order[p]];
    const position = bw[partner[order[p]]].position;
    let before = 0;
    for (let q = 0; q < p; q++) if (bw[partner[order[q]]].position < position && best[q] > before) before = best[q];
    best[p] = before + x.weight;
    total += x.weight;
    if (best[p] > kept) kept = best[p];
  }
  return 1 - kept / total;
}
