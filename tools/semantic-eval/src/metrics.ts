/** A scored pair: `score` ≥ threshold predicts "same meaning". */
export interface Scored {
  readonly label: 0 | 1;
  readonly score: number;
}

interface PairMetrics {
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** False positives / negatives: how often a different question would be answered from the cache. */
  readonly wrongHitRate: number;
  readonly positives: number;
  readonly negatives: number;
}

export function pairMetrics(scored: readonly Scored[], threshold: number): PairMetrics {
  let tp = 0;
  let fp = 0;
  let positives = 0;
  let negatives = 0;
  for (const { label, score } of scored) {
    const hit = score >= threshold;
    if (label === 1) {
      positives++;
      if (hit) tp++;
    } else {
      negatives++;
      if (hit) fp++;
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = positives === 0 ? 0 : tp / positives;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { threshold, precision, recall, f1, wrongHitRate: negatives === 0 ? 0 : fp / negatives, positives, negatives };
}

/** Lowest threshold on `grid` whose wrong-hit rate is ≤ `maxWrongHitRate` on every given set. */
export function lowestSafeThreshold(
  sets: readonly (readonly Scored[])[],
  grid: readonly number[],
  maxWrongHitRate: number,
): number | undefined {
  return grid.find((t) => sets.every((set) => pairMetrics(set, t).wrongHitRate <= maxWrongHitRate));
}

export function thresholdGrid(from: number, to: number, step: number): number[] {
  const grid: number[] = [];
  for (let i = 0; from + i * step <= to + 1e-9; i++) grid.push(Math.round((from + i * step) * 1e4) / 1e4);
  return grid;
}

export const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;
