import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Calibration, FEATURE_NAMES } from './calibration';

/**
 * A calibration fitted for one embedding model by `npm run calibrate`: the verifier's weights with that
 * model's cosine as the `cosine` feature, and the thresholds of the three presets.
 */
export interface ModelCalibration {
  /** The embedding model's name, as configured (`embedding.model`). */
  readonly model: string;
  /** What it was fitted on (pair files, rows, date), for the record. */
  readonly source: string;
  readonly calibration: Calibration;
  /** Threshold per preset; `balanced` is the default for this model. */
  readonly thresholds: Readonly<{ strict: number; balanced: number; lenient: number }>;
  /** Cosine below which vector candidates are not retrieved (unset: the cache service's floor for providers). */
  readonly minCosine?: number;
  /**
   * When set, the local GloVe verdict (its own cosine and weights) counts too, lowered by this much: the
   * similarity is the higher of the two. A sentence encoder can miss a light rewording ("by invoice" / "by an
   * invoice") that the same words, in order, already show; this keeps it.
   */
  readonly localShift?: number;
}

const weightsSchema = z.object(Object.fromEntries(FEATURE_NAMES.map((name) => [name, z.number().finite().optional()])));

const modelCalibrationSchema = z.object({
  model: z.string().min(1),
  source: z.string(),
  calibration: z.object({ intercept: z.number().finite(), weights: weightsSchema.strict() }),
  thresholds: z.object({
    strict: z.number().min(0).max(1),
    balanced: z.number().min(0).max(1),
    lenient: z.number().min(0).max(1),
  }),
  minCosine: z.number().min(-1).max(1).optional(),
  localShift: z.number().min(0).max(1).optional(),
});

/** The file the services load (`STRATA_SEMANTIC_CALIBRATION`): calibrations keyed by model. */
export const calibrationFileSchema = z.object({
  version: z.literal(1),
  models: z.record(z.string(), modelCalibrationSchema),
});
export type CalibrationFile = z.infer<typeof calibrationFileSchema>;

/** Reads and validates a calibration file; a readable error names what is wrong. */
export function readCalibrationFile(path: string): CalibrationFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`semantic calibration file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = calibrationFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`semantic calibration file ${path}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
