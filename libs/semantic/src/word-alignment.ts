import { type WordVectors } from '@strata/embedding';
import { DIRECTIONAL_PREPOSITIONS, OPPOSITE_ROLES } from './near-miss.lexicon';
import { type ContentWord, type TextAnalysis } from './text-analysis';

/** Word-level evidence that two questions mean the same: each in 0..1 except where noted. */
export type AlignmentFeatures = {
  /** IDF-weighted share of content words with an exact or same-stem counterpart (the weaker direction). */
  readonly exactCoverage: number;
  /** As `exactCoverage`, but near-synonyms (word-vector cosine ≥ SOFT_MIN) count by their cosine. */
  readonly softCoverage: number;
  /** Weight of the most informative content word with no counterpart at all, / 10. */
  readonly unmatched: number;
  /** Weight of the most informative word matched only by a near-synonym (a swapped entity?), / 10. */
  readonly substituted: number;
  /**
   * 1 when the texts differ in exactly one content word each, neither the same stem nor a WordNet synonym of
   * the other, and every other content word is the same: "does the upstream answer/refuse", "bring my dog/cat",
   * "cab service in Pune/Chennai". A rewording changes several words, or the same one for a synonym.
   */
  readonly oneWordChanged: number;
  /** IDF-weighted share of exactly matched words governed by different prepositions (swapped roles). */
  readonly roleMismatch: number;
  /** Weighted share of exactly matched words (and numbers) out of order: outside the heaviest common
   * subsequence of the two word orders ("A beat B" vs "B beat A", "born in X in 1923" vs "in 1923 in X"). */
  readonly reordered: number;
  /** `reordered` × exactCoverage⁴: the same words in another order (PAWS' swaps), not a rewording. */
  readonly swapped: number;
  /** 1 when a name (capitalised word inside a text) has no exact counterpart on the other side. */
  readonly nameUnmatched: number;
  /** 1 when the questions use different question words (what/how/why…). */
  readonly questionMismatch: number;
  /** 1 when they use pronouns of different grammatical persons ("I" vs "you"). */
  readonly personMismatch: number;
  /** 1 when they use different modals or tenses ("can" vs "should", "do" vs "did"). */
  readonly modalMismatch: number;
};

/** Word-vector cosine from which two different words count as near-synonyms. */
const SOFT_MIN = 0.5;
/** Credit of two words that share a WordNet synset ("car" / "automobile", "big" / "large"). */
const SYNONYM_CREDIT = 0.9;
/** Above this many word pairs, only exact matches are looked for (long texts stay linear). */
const MAX_SOFT_PAIRS = 4096;
/** Order is checked among at most this many matched words (quadratic). */
const MAX_ORDERED = 48;

/** What the alignment needs of a lexicon (WordNet): synonymy and antonymy of base forms. */
export interface Lexicon {
  synonyms(a: string, b: string): boolean;
  antonyms(a: string, b: string): boolean;
}

interface Alignment {
  readonly features: AlignmentFeatures;
  /** "increase/decrease" when a word left unmatched on one side is an antonym of one on the other. */
  readonly antonym: string | undefined;
  /** A matched word whose direction changed: "from X" / "to X", or two words that swapped roles. */
  readonly directionSwap: string | undefined;
  /** "Greece/Denmark": each text has a name (capitalised word) the other lacks, so they ask about different things. */
  readonly nameSwap: string | undefined;
}

/**
 * One-to-one alignment of the content words: the best-scoring pairs first (same stem 1, WordNet synonym
 * 0.9, else the word-vector cosine when ≥ 0.5), each word used once, so "the cat and the dog" cannot cover
 * "the cat and the cat".
 */
export function alignWords(a: TextAnalysis, b: TextAnalysis, vectors: WordVectors, lexicon: Lexicon): Alignment {
  const aw = a.content;
  const bw = b.content;
  const bestA = new Float64Array(aw.length);
  const bestB = new Float64Array(bw.length);
  const exactPartner = new Int32Array(aw.length).fill(-1);
  const takenB = new Uint8Array(bw.length);

  const bByStem = new Map<string, number[]>();
  for (let j = 0; j < bw.length; j++) {
    const list = bByStem.get(bw[j].stem);
    if (list === undefined) bByStem.set(bw[j].stem, [j]);
    else list.push(j);
  }
  for (let i = 0; i < aw.length; i++) {
    const j = bByStem.get(aw[i].stem)?.find((k) => takenB[k] === 0);
    if (j !== undefined) {
      bestA[i] = 1;
      bestB[j] = 1;
      exactPartner[i] = j;
      takenB[j] = 1;
    }
  }

  const pairs: { i: number; j: number; score: number }[] = [];
  let antonym: string | undefined;
  if (aw.length * bw.length <= MAX_SOFT_PAIRS) {
    for (let i = 0; i < aw.length; i++) {
      const x = aw[i];
      if (bestA[i] === 1) continue;
      for (let j = 0; j < bw.length; j++) {
        const y = bw[j];
        if (takenB[j] === 1) continue;
        if (antonym === undefined && related(x, y, (p, q) => lexicon.antonyms(p, q))) antonym = `${x.word}/${y.word}`;
        if (x.name || y.name) continue;
        let score = related(x, y, (p, q) => lexicon.synonyms(p, q)) ? SYNONYM_CREDIT : 0;
        if (x.id >= 0 && y.id >= 0) score = Math.max(score, vectors.cosine(x.id, y.id));
        if (score >= SOFT_MIN) pairs.push({ i, j, score });
      }
    }
    pairs.sort((p, q) => q.score - p.score);
    const takenA = new Uint8Array(aw.length);
    for (const { i, j, score } of pairs) {
      if (takenA[i] === 1 || takenB[j] === 1) continue;
      takenA[i] = 1;
      takenB[j] = 1;
      bestA[i] = score;
      bestB[j] = score;
    }
  }

  const reorder = reordered(aw, bw, exactPartner);
  const exactCoverage = Math.min(coverage(aw, bestA, true), coverage(bw, bestB, true));
  const nameA = aw.find((w, i) => w.name && bestA[i] < 1);
  const nameB = bw.find((w, j) => w.name && bestB[j] < 1);
  return {
    antonym,
    directionSwap: directionSwap(aw, bw, exactPartner),
    nameSwap: nameA !== undefined && nameB !== undefined ? `${nameA.word}/${nameB.word}` : undefined,
    features: {
      exactCoverage,
      softCoverage: Math.min(coverage(aw, bestA, false), coverage(bw, bestB, false)),
      unmatched: Math.max(maxWeight(aw, bestA, 0, 0), maxWeight(bw, bestB, 0, 0)) / 10,
      substituted: Math.max(maxWeight(aw, bestA, SOFT_MIN, 1), maxWeight(bw, bestB, SOFT_MIN, 1)) / 10,
      oneWordChanged: changedWords(bestA) === 1 && changedWords(bestB) === 1 ? 1 : 0,
      roleMismatch: roleMismatch(aw, bw, exactPartner),
      reordered: reorder,
      swapped: reorder * exactCoverage ** 4,
      nameUnmatched: nameA !== undefined || nameB !== undefined ? 1 : 0,
      questionMismatch: a.questionWords === b.questionWords ? 0 : 1,
      personMismatch: a.persons === b.persons ? 0 : 1,
      modalMismatch: a.modals === b.modals ? 0 : 1,
    },
  };
}

/** The relation holds between the words' base forms ("increases" → increase, "reduced" → reduce). */
function related(x: ContentWord, y: ContentWord, relation: (a: string, b: string) => boolean): boolean {
  for (const p of x.forms) for (const q of y.forms) if (relation(p, q)) return true;
  return false;
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

/** Content words without the same stem or a WordNet synonym on the other side. */
function changedWords(best: Float64Array): number {
  let changed = 0;
  for (let i = 0; i < best.length; i++) if (best[i] < SYNONYM_CREDIT) changed++;
  return changed;
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

/**
 * "from New York to Florida" / "from Florida to New York", "convert km to miles" / "miles to km": two
 * matched words exchanged their roles and one of the roles is a direction; or one word went to the
 * opposite direction ("flights to Boston" / "from Boston").
 */
function directionSwap(
  aw: readonly ContentWord[],
  bw: readonly ContentWord[],
  partner: Int32Array,
): string | undefined {
  const moved: { word: string; from: string; to: string }[] = [];
  for (let i = 0; i < aw.length; i++) {
    const j = partner[i];
    if (j < 0 || aw[i].repeated || bw[j].repeated || aw[i].role === bw[j].role) continue;
    const from = aw[i].role;
    const to = bw[j].role;
    if (OPPOSITE_ROLES.has(`${from}/${to}`)) return `${aw[i].word}: ${from}/${to}`;
    moved.push({ word: aw[i].word, from, to });
  }
  for (const x of moved) {
    if (!DIRECTIONAL_PREPOSITIONS.has(x.from) && !DIRECTIONAL_PREPOSITIONS.has(x.to)) continue;
    const y = moved.find((m) => m !== x && m.from === x.to && m.to === x.from);
    if (y !== undefined) return `${x.word}/${y.word}: ${x.from || '-'}/${x.to || '-'}`;
  }
  return undefined;
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
