import { type MatchExplanation } from '@strata/semantic';
import { type LabelledPair } from './datasets';

/** What the replay needs of the model and the verifier. */
interface ReplayModel {
  embed(text: string): Float32Array;
  explain(query: string, candidate: string, cosine: number): MatchExplanation;
}

interface ReplayOptions {
  /** Candidates retrieved per lookup (the server's `cache.candidates`). */
  readonly candidates: number;
  /** Cosine below which the vector index returns nothing (the server's floor for the model). */
  readonly minCosine: number;
}

export interface Candidate {
  readonly entry: number;
  readonly cosine: number;
  readonly explanation: MatchExplanation;
}

export interface Lookup {
  readonly pair: LabelledPair;
  /** The entry holding this pair's `textA`. */
  readonly own: number;
  /** Entries known to mean the same as the lookup: its own (label 1), the same text, or a label-1 pair. */
  readonly same: ReadonlySet<number>;
  /** Top candidates by cosine (≥ the floor), best first. */
  readonly candidates: readonly Candidate[];
}

export interface ReplayCounts {
  /** Hit on an entry known to mean the same: the pair's own (label 1), the same text, or a label-1 pair. */
  readonly correct: number;
  /** Any other hit (another entry, or the own entry of a label-0 pair): a wrong answer served from the cache. */
  readonly wrong: number;
  readonly miss: number;
  /** Wrong hits among label-0 lookups / label-0 lookups. */
  readonly wrongOnNegatives: number;
  readonly negatives: number;
  /** correct / (correct + wrong): how often a served semantic hit is right. */
  readonly precision: number;
}

/**
 * The cache replay of ../shared/data's README (GPTCache's benchmark procedure): store every distinct
 * `textA` in one namespace, then look up every `textB` among all of them (brute-force cosine, as an exact
 * vector index would, with the server's floor and candidate count).
 */
export function replayLookups(pairs: readonly LabelledPair[], model: ReplayModel, options: ReplayOptions): Lookup[] {
  const index = new Map<string, number>();
  const texts: string[] = [];
  for (const p of pairs) {
    if (!index.has(p.textA)) {
      index.set(p.textA, texts.length);
      texts.push(p.textA);
    }
  }
  // What the data says about other entries: the same text (blanks and case aside) or a labelled pair.
  const norm = (t: string): string => t.toLowerCase().replace(/\s+/g, ' ').trim();
  const byText = new Map<string, number[]>();
  texts.forEach((t, i) => byText.set(norm(t), [...(byText.get(norm(t)) ?? []), i]));
  const paraphrases = new Map<string, Set<string>>();
  for (const p of pairs) {
    if (p.label !== 1) continue;
    for (const [x, y] of [
      [p.textA, p.textB],
      [p.textB, p.textA],
    ] as const) {
      const set = paraphrases.get(norm(x)) ?? new Set<string>();
      set.add(norm(y));
      paraphrases.set(norm(x), set);
    }
  }
  const vectors = texts.map((t) => model.embed(t));
  const dims = vectors[0]?.length ?? 0;
  const matrix = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => matrix.set(v, i * dims));
  return pairs.map((pair) => {
    const query = model.embed(pair.textB);
    const top: { entry: number; cosine: number }[] = [];
    for (let e = 0, offset = 0; e < texts.length; e++, offset += dims) {
      let cosine = 0;
      for (let d = 0; d < dims; d++) cosine += query[d] * matrix[offset + d];
      if (cosine < options.minCosine) continue;
      if (top.length === options.candidates && cosine <= top[top.length - 1].cosine) continue;
      let at = top.length;
      while (at > 0 && top[at - 1].cosine < cosine) at--;
      top.splice(at, 0, { entry: e, cosine });
      if (top.length > options.candidates) top.pop();
    }
    const own = index.get(pair.textA) ?? -1;
    const same = new Set<number>(byText.get(norm(pair.textB)) ?? []);
    for (const text of paraphrases.get(norm(pair.textB)) ?? []) for (const e of byText.get(text) ?? []) same.add(e);
    if (pair.label === 0) same.delete(own);
    return {
      pair,
      own,
      same,
      candidates: top.map(({ entry, cosine }) => ({
        entry,
        cosine,
        explanation: model.explain(pair.textB, texts[entry], cosine),
      })),
    };
  });
}

/** Counts the outcome when `pick` chooses the served entry (or undefined for a miss) per lookup. */
export function countReplay(lookups: readonly Lookup[], pick: (lookup: Lookup) => number | undefined): ReplayCounts {
  let correct = 0;
  let wrong = 0;
  let miss = 0;
  let wrongOnNegatives = 0;
  let negatives = 0;
  for (const lookup of lookups) {
    const hit = pick(lookup);
    if (lookup.pair.label === 0) negatives++;
    if (hit === undefined) miss++;
    else if (lookup.same.has(hit)) correct++;
    else {
      wrong++;
      if (lookup.pair.label === 0) wrongOnNegatives++;
    }
  }
  return {
    correct,
    wrong,
    miss,
    wrongOnNegatives,
    negatives,
    precision: correct + wrong === 0 ? 1 : correct / (correct + wrong),
  };
}

/** A plain semantic cache: the nearest entry when its cosine ≥ threshold. */
export function cosinePick(threshold: number) {
  return (lookup: Lookup): number | undefined => {
    const top = lookup.candidates[0];
    return top !== undefined && top.cosine >= threshold ? top.entry : undefined;
  };
}
