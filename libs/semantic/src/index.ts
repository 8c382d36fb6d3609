export {
  CALIBRATION,
  DEFAULT_SIMILARITY_THRESHOLD,
  FEATURES,
  LOCAL_MIN_COSINE,
  FEATURE_NAMES,
  calibratedSimilarity,
} from './calibration';
export type { Calibration, FeatureName, MatchFeatures } from './calibration';
export type { MatchReason, MatchVerdict } from './match-verdict';
export { LONG_PROMPT_TOKENS, SemanticVerifier } from './semantic-verifier';
export type { MatchExplanation, SemanticVerifierOptions } from './semantic-verifier';
export type { Lexicon } from './word-alignment';
export { calibrationFileSchema, readCalibrationFile } from './model-calibration';
export { builtInCalibration } from './built-in-calibrations';
export type { CalibrationFile, ModelCalibration } from './model-calibration';
export { fitLogistic, fitSignConstrained } from './fit/logistic';
export type { Example } from './fit/logistic';
export { sentenceGroups } from './fit/sentence-groups';
