import { type LocalEmbeddingProvider } from '@strata/embedding';
import { type Calibration, type SemanticVerifier, calibratedSimilarity } from '@strata/semantic';
import { type LabelledPair } from './datasets';

export interface ReplayCounts {
  /** Hit on the entry stored from the same pair. */
  readonly correct: number;
  /** Hit on any other entry: a wrong answer served from the cache. */
  readonly wrong: number;
  readonly miss: number;
}

export interface ReplayResult {
  /** Verifier: the candidate with the highest similarity ≥ threshold among the top-k by cosine. */
  verifier(threshold: number): ReplayCounts;
  /** Cosine only: the nearest entry when its cosine ≥ threshold (what a plain semantic cache does). */
  cosine(threshold: number): ReplayCounts;
}

/**
 * GPTCache's benchmark procedure: store every `textA`, then look up every `textB` (brute-force cosine over
 * the stored vectors, as an exact vector index would). Every pair here is a paraphrase, so a hit on the
 * pair's own entry is correct and a hit on any other entry is wrong.
 */
export function replay(
  pairs: readonly LabelledPair[],
  provider: LocalEmbeddingProvider,
  verifier: SemanticVerifier,
  calibration: Calibration,
  candidates: number,
): ReplayResult {
  const stored = pairs.map((p) => provider.embedOne(p.textA));
  const lookups = pairs.map((p, query) => {
    const vector = provider.embedOne(p.textB);
    const scores = stored.map((entry, id) => ({ id, cosine: dot(vector, entry) }));
    scores.sort((x, y) => y.cosine - x.cosine);
    const top = scores.slice(0, candidates).map(({ id, cosine }) => {
      const { features } = verifier.explain(p.textB, pairs[id].textA, cosine, 2);
      return { id, cosine, similarity: features === undefined ? 0 : calibratedSimilarity(features, calibration) };
    });
    return { query, top };
  });

  const count = (pick: (lookup: (typeof lookups)[number]) => number | undefined): ReplayCounts => {
    let correct = 0;
    let wrong = 0;
    let miss = 0;
    for (const lookup of lookups) {
      const hit = pick(lookup);
      if (hit === undefined) miss++;
      else if (hit === lookup.query) correct++;
      else wrong++;
    }
    return { correct, wrong, miss };
  };

  return {
    verifier: (threshold) =>
      count(({ top }) => {
        let best: { id: number; similarity: number } | undefined;
        for (const c of top)
          if (c.similarity >= threshold && (best === undefined || c.similarity > best.similarity)) best = c;
        return best?.id;
      }),
    cosine: (threshold) =>
      count(({ top }) => (top[0] !== undefined && top[0].cosine >= threshold ? top[0].id : undefined)),
  };
}

function dot(x: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < x.length; d++) sum += x[d] * y[d];
  return sum;
}
