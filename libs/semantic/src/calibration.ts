import { type AlignmentFeatures } from './word-alignment';

/** Everything the similarity is computed from. */
export interface MatchFeatures extends AlignmentFeatures {
  /** Cosine of the two texts' local (GloVe SIF) sentence vectors. */
  readonly cosine: number;
}

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
  { name: 'roleMismatch', direction: -1 },
  { name: 'reordered', direction: -1 },
  { name: 'questionMismatch', direction: -1 },
  { name: 'personMismatch', direction: -1 },
  { name: 'modalMismatch', direction: -1 },
];
export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);

export interface Calibration {
  readonly intercept: number;
  readonly weights: Readonly<Record<FeatureName, number>>;
}

/**
 * Logistic model P(same meaning | features), fitted by `node tools/semantic-eval/run.js --fit` on the
 * even-numbered rows of the hard-negative sets QQP and PAWS (each dataset and class weighted equally, weights
 * kept on their feature's side of zero); the odd rows of all sets are held out for the numbers in
 * docs/semantic-quality.md. Weights of 0: the fit found no use for that feature on these data.
 */
export const CALIBRATION: Calibration = {
  intercept: -1.9639,
  weights: {
    cosine: 1.4961,
    exactCoverage: 0.4376,
    softCoverage: 1.3128,
    unmatched: -0.293,
    substituted: 0,
    roleMismatch: -0.3074,
    reordered: -5.177,
    questionMismatch: 0,
    personMismatch: 0,
    modalMismatch: 0,
  },
};

/**
 * Default minimum similarity for a semantic hit. The lowest threshold with a wrong-hit rate ≤ 2% on the
 * tuning rows of PAWS and QQP is 0.945; 0.95 keeps a margin (held out: 2.0% PAWS, 1.8% QQP wrong hits).
 * See docs/semantic-quality.md.
 */
export const DEFAULT_SIMILARITY_THRESHOLD = 0.95;

/**
 * The reported similarity: the model's probability that the pair means the same, relative to that of a
 * pair with perfect evidence (cosine 1, every word matched in place). Monotone in the probability, so
 * thresholds keep their order; 1 for identical questions.
 */
export function calibratedSimilarity(features: MatchFeatures, calibration: Calibration = CALIBRATION): number {
  let z = calibration.intercept;
  let perfect = calibration.intercept;
  for (const { name, direction } of FEATURES) {
    const weight = calibration.weights[name];
    z += weight * features[name];
    if (direction > 0) perfect += weight;
  }
  return Math.min(1, (1 + Math.exp(-perfect)) / (1 + Math.exp(-z)));
}
