export {
  CALIBRATION,
  DEFAULT_SIMILARITY_THRESHOLD,
  FEATURES,
  FEATURE_NAMES,
  calibratedSimilarity,
} from './calibration';
export type { Calibration, FeatureName, MatchFeatures } from './calibration';
export type { MatchReason, MatchVerdict } from './match-verdict';
export { SemanticVerifier } from './semantic-verifier';
export type { MatchExplanation, SemanticVerifierOptions } from './semantic-verifier';
