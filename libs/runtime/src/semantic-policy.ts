import { type StrataConfig } from '@strata/config';
import { LOCAL_EMBEDDING_MODEL } from '@strata/embedding';
import { LOCAL_MIN_COSINE } from '@strata/semantic';

/** Cosine floor of other embedding models without a calibrated one: their cosines spread wider than GloVe's. */
const PROVIDER_MIN_COSINE = 0.5;

/** The cache service's semantic policy: what a lookup falls back to and retrieves by. */
interface SemanticPolicy {
  /** Threshold of a lookup that carries none (nor a namespace threshold: then also the bar for remembering a hit). */
  readonly defaultThreshold: number;
  /** Cosine below which vector candidates are not retrieved; verification decides above it. */
  readonly minCosine: number;
}

/**
 * The one place the cache service's semantic defaults are decided, at boot: what config sets, else the
 * verifier's calibrated threshold for the embedding model and the provider's cosine floor. A request's own
 * threshold (the gateway's namespace policy) is resolved by the gateway and carried on the lookup message.
 */
export function semanticPolicy(
  config: StrataConfig,
  calibrated: { readonly defaultThreshold: number; readonly minCosine?: number },
): SemanticPolicy {
  return {
    defaultThreshold: config.cache.similarityThreshold ?? calibrated.defaultThreshold,
    minCosine:
      config.cache.minCosine ??
      calibrated.minCosine ??
      (config.embedding.model === LOCAL_EMBEDDING_MODEL ? LOCAL_MIN_COSINE : PROVIDER_MIN_COSINE),
  };
}
