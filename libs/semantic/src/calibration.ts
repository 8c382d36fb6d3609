import { PRECISION_THRESHOLDS } from '@strata/cache-core';
import { type AlignmentFeatures } from './word-alignment';

/** Everything the similarity is computed from. */
export type MatchFeatures = AlignmentFeatures & {
  /** Cosine of the two texts' embeddings: the provider's when its calibration is in force, else GloVe's (SIF). */
  readonly cosine: number;
};

export type FeatureName = keyof MatchFeatures;

/**
 * The features in model order, each with the direction it may push the similarity: +1 evidence for the
 * same meaning, -1 evidence against. The fit keeps every weight on its side of zero (or drops the feature),
 * so no correlation in the training data can make, say, an unmatched word raise the similarity.
 */
export const FEATURES: readonly { readonly name: FeatureName; readonly direction: 1 | -1 }[] = [
  { name: 'cosine', direction: 1 },
  { name: 'exactCoverage', direction: 1 },
  { name: 'softCoverage', direction: 1 },
  { name: 'unmatched', direction: -1 },
  { name: 'substituted', direction: -1 },
  { name: 'oneWordChanged', direction: -1 },
  { name: 'roleMismatch', direction: -1 },
  { name: 'swapped', direction: -1 },
  { name: 'nameUnmatched', direction: -1 },
  { name: 'questionMismatch', direction: -1 },
  { name: 'personMismatch', direction: -1 },
  { name: 'modalMismatch', direction: -1 },
];
export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);

export interface Calibration {
  readonly intercept: number;
  /** A feature without a weight is not part of the model. */
  readonly weights: Readonly<Partial<Record<FeatureName, number>>>;
}

/**
 * Logistic model P(same meaning | features), fitted by `node tools/semantic-eval/run.js --fit` on the tuning
 * sentence groups of PAWS, QQP, MRPC and STS-B (each dataset and class weighted equally, weights kept on
 * their feature's side of zero; pairs a veto rejects are not part of the fit). Features without a weight are
 * not in the model: word order counts only through `swapped` (the same words rearranged, PAWS' negatives),
 * so a rewording that restructures the sentence is not punished for it.
 */
export const CALIBRATION: Calibration = {
  intercept: -3.5842,
  weights: {
    cosine: 1.8857,
    exactCoverage: 1.597,
    softCoverage: 1.6901,
    unmatched: 0,
    substituted: 0,
    roleMismatch: 0,
    swapped: -5.9657,
    nameUnmatched: -0.0027,
    questionMismatch: -0.1539,
    personMismatch: 0,
    modalMismatch: 0,
  },
};

/**
 * Vector-search floor for the local model: no pair accepted at any preset's threshold on the evaluation
 * sets has a lower cosine, so candidates below it are not worth verifying.
 */
export const LOCAL_MIN_COSINE = 0.8;

/**
 * Default minimum similarity for a semantic hit (the `balanced` preset): the lowest threshold at which PAWS
 * and QQP, replayed as a cache on their tuning groups, serve a wrong answer to ≤ 2% of the label-0 lookups
 * (held out: docs/semantic-quality.md).
 */
export const DEFAULT_SIMILARITY_THRESHOLD = PRECISION_THRESHOLDS.balanced;

/**
 * The reported similarity: the model's probability that the pair means the same, relative to that of a
 * pair with perfect evidence (cosine 1, every word matched in place). Monotone in the probability, so
 * thresholds keep their order; 1 for identical questions.
 */
export function calibratedSimilarity(features: MatchFeatures, calibration: Calibration = CALIBRATION): number {
  let z = calibration.intercept;
  let perfect = calibration.intercept;
  for (const { name, direction } of FEATURES) {
    const weight = calibration.weights[name] ?? 0;
    z += weight * features[name];
    if (direction > 0) perfect += weight;
  }
  return Math.min(1, (1 + Math.exp(-perfect)) / (1 + Math.exp(-z)));
}
