import { DEFAULT_SIMILARITY_THRESHOLD } from '@strata/semantic';

/** The verifier's calibrated default threshold (docs/semantic-quality.md), used when config sets none. */
export const SemanticDefaults = { threshold: DEFAULT_SIMILARITY_THRESHOLD } as const;
