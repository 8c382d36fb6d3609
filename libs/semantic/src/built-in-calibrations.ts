import { PRECISION_THRESHOLDS } from '@strata/cache-core';
import { LOCAL_EMBEDDING_MODEL, SENTENCE_ENCODER_MODEL } from '@strata/embedding';
import { CALIBRATION, LOCAL_MIN_COSINE } from './calibration';
import { type ModelCalibration } from './model-calibration';

/**
 * Calibrations that ship with Strata, per local model (a calibration file, `STRATA_SEMANTIC_CALIBRATION`,
 * overrides them). The local GloVe model's is the verifier's own: its weights (`CALIBRATION`), the presets'
 * thresholds (`PRECISION_THRESHOLDS`, also the gateway's and the verifier's for a model without a calibration, whose
 * hits are decided on the GloVe cosine) and its cosine floor (`LOCAL_MIN_COSINE`). The sentence encoder's was
 * fitted by `node tools/semantic-eval/run.js --fit --features cosine,swapped,roleMismatch,nameUnmatched,
 * questionMismatch,personMismatch,modalMismatch` on the tuning sentence groups of PAWS, QQP, MRPC and STS-B,
 * its presets chosen on the tuning groups of PAWS and QQP replayed as a cache. That feature set (no word
 * coverage: the encoder reads every word itself) and the local verdict's shift (0.06) served the most right
 * hits on the tuning replays at the `balanced` budget of the variants tried (docs/semantic-quality.md). The
 * floor: no pair reaches `lenient` below cosine 0.9, so candidates under 0.8 are not worth verifying.
 */
const BUILT_IN: Readonly<Record<string, ModelCalibration>> = {
  [SENTENCE_ENCODER_MODEL]: {
    model: SENTENCE_ENCODER_MODEL,
    source: 'tools/semantic-eval --fit (tuning groups of PAWS, QQP, MRPC, STS-B), 2026-12-05',
    calibration: {
      intercept: -4.5438,
      weights: {
        cosine: 5.8397,
        roleMismatch: -0.1909,
        swapped: -4.7509,
        nameUnmatched: -0.2052,
        questionMismatch: -0.1258,
        // Set by hand (the fit gives -0.08): one content word changed is another question ("does the upstream
        // answer / refuse", "my dog / my cat"), which the encoder alone scores as close. Costs 1.8% of the
        // tuning replays' right hits.
        oneWordChanged: -1,
      },
    },
    thresholds: { strict: 0.955, balanced: 0.915, lenient: 0.855 },
    minCosine: 0.8,
    localShift: 0.06,
  },
  [LOCAL_EMBEDDING_MODEL]: {
    model: LOCAL_EMBEDDING_MODEL,
    source: 'tools/semantic-eval --fit (tuning groups of PAWS, QQP, MRPC, STS-B), presets on PAWS and QQP as a cache',
    calibration: CALIBRATION,
    thresholds: PRECISION_THRESHOLDS,
    minCosine: LOCAL_MIN_COSINE,
  },
};

/** The calibration Strata ships for `model`, if any. */
export function builtInCalibration(model: string): ModelCalibration | undefined {
  return Object.prototype.hasOwnProperty.call(BUILT_IN, model) ? BUILT_IN[model] : undefined;
}
