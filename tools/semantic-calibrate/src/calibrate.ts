import {
  type Example,
  FEATURES,
  FEATURE_NAMES,
  type MatchFeatures,
  type ModelCalibration,
  type SemanticVerifier,
  calibratedSimilarity,
  fitSignConstrained,
  sentenceGroups,
} from '@strata/semantic';
import { wilsonUpper } from './wilson';

/** A labelled pair: would serving `textA`'s answer to `textB` be right (1) or wrong (0)? */
export interface CalibrationPair {
  readonly textA: string;
  readonly textB: string;
  readonly label: 0 | 1;
}

interface CalibrateOptions {
  /** Name of the embedding model the vectors come from. */
  readonly model: string;
  /** Embeds texts with the configured provider (batched by the caller's provider). */
  readonly embed: (texts: readonly string[]) => Promise<number[][]>;
  /** A verifier whose features use the cosine it is given (the local-model verifier). */
  readonly verifier: SemanticVerifier;
  /** Wrong-hit rate the `balanced` threshold must keep under, as a 95% upper confidence bound. */
  readonly target: number;
  readonly source: string;
}

export interface ThresholdRow {
  readonly threshold: number;
  readonly precision: number;
  readonly recall: number;
  readonly wrongHitRate: number;
  /** 95% upper bound of the wrong-hit rate on the tuning half. */
  readonly wrongHitUpper: number;
}

interface CalibrationResult {
  readonly calibration: ModelCalibration;
  /** Held-out half, per threshold. */
  readonly heldOut: readonly ThresholdRow[];
  readonly tuningPairs: number;
  readonly heldOutPairs: number;
}

const GRID = Array.from({ length: 141 }, (_, i) => Math.round((0.3 + i * 0.005) * 1000) / 1000);

/**
 * Fits the verifier for one embedding model: embeds every text, computes the verifier's evidence with the
 * model's cosine, fits the logistic weights on one half (split by sentence group) and picks each preset's
 * threshold as the lowest whose wrong-hit rate's 95% upper bound on that half is within its budget
 * (strict target/4, balanced target, lenient 2.5·target). The other half is only measured.
 */
export async function calibrate(
  pairs: readonly CalibrationPair[],
  options: CalibrateOptions,
): Promise<CalibrationResult> {
  const texts = [...new Set(pairs.flatMap((p) => [p.textA, p.textB]))];
  const vectors = new Map<string, number[]>();
  const batch = 64;
  for (let i = 0; i < texts.length; i += batch) {
    const chunk = texts.slice(i, i + batch);
    (await options.embed(chunk)).forEach((v, k) => vectors.set(chunk[k], normalise(v)));
  }
  const groups = splitGroups(pairs);
  const scored = pairs.map((p, i) => {
    const cosine = dot(vectors.get(p.textA) ?? [], vectors.get(p.textB) ?? []);
    const verdict = options.verifier.explain(p.textB, p.textA, cosine, 2);
    return { ...p, tune: groups[i] % 2 === 0, features: verdict.features, same: verdict.similarity >= 1 };
  });
  const tune = scored.filter((p) => p.tune);
  const heldOut = scored.filter((p) => !p.tune);

  const usable = tune.filter((p): p is typeof p & { features: MatchFeatures } => p.features !== undefined);
  const positives = usable.filter((p) => p.label === 1).length;
  const examples: Example[] = usable.map((p) => ({
    x: FEATURE_NAMES.map((name) => p.features[name]),
    y: p.label,
    weight: p.label === 1 ? 1 / Math.max(1, positives) : 1 / Math.max(1, usable.length - positives),
  }));
  const [intercept, ...weights] = fitSignConstrained(
    examples,
    FEATURES.map((f) => f.direction),
  );
  const calibration = {
    intercept: intercept ?? 0,
    weights: Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, round(weights[i] ?? 0)])),
  };
  const similarity = (p: (typeof scored)[number]): number =>
    p.same ? 1 : p.features === undefined ? 0 : calibratedSimilarity(p.features, calibration);

  const rows = (set: typeof scored): ThresholdRow[] =>
    GRID.map((threshold) => {
      let tp = 0;
      let fp = 0;
      let pos = 0;
      let neg = 0;
      for (const p of set) {
        const hit = similarity(p) >= threshold;
        if (p.label === 1) {
          pos++;
          if (hit) tp++;
        } else {
          neg++;
          if (hit) fp++;
        }
      }
      return {
        threshold,
        precision: tp + fp === 0 ? 1 : tp / (tp + fp),
        recall: pos === 0 ? 0 : tp / pos,
        wrongHitRate: neg === 0 ? 0 : fp / neg,
        wrongHitUpper: wilsonUpper(fp, neg),
      };
    });
  const tuneRows = rows(tune);
  const lowest = (budget: number): number => tuneRows.find((r) => r.wrongHitUpper <= budget)?.threshold ?? 1;
  return {
    calibration: {
      model: options.model,
      source: options.source,
      calibration: { intercept: round(calibration.intercept), weights: calibration.weights },
      thresholds: {
        strict: lowest(options.target / 4),
        balanced: lowest(options.target),
        lenient: lowest(options.target * 2.5),
      },
    },
    heldOut: rows(heldOut),
    tuningPairs: tune.length,
    heldOutPairs: heldOut.length,
  };
}

/**
 * Sentence groups for the split: pairs sharing a sentence stay on one side. When near misses link every
 * group into one (a common shape of hand-made sets), groups are formed by paraphrases only and a near miss
 * goes with its stored text's group.
 */
function splitGroups(pairs: readonly CalibrationPair[]): number[] {
  const all = sentenceGroups(pairs.map((p) => [p.textA, p.textB]));
  const tuning = all.filter((g) => g % 2 === 0).length;
  if (tuning >= pairs.length * 0.2 && tuning <= pairs.length * 0.8) return all;
  return sentenceGroups(pairs.map((p) => (p.label === 1 ? [p.textA, p.textB] : [p.textA, p.textA])));
}

function normalise(v: readonly number[]): number[] {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

function dot(x: readonly number[], y: readonly number[]): number {
  let sum = 0;
  for (let d = 0; d < Math.min(x.length, y.length); d++) sum += x[d] * y[d];
  return sum;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;
