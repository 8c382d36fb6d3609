import { LOCAL_EMBEDDING_MODEL, SENTENCE_ENCODER_MODEL } from '@strata/embedding';
import { LocalEmbeddingProvider } from './local-embedding.provider';
import { type SentenceEncoderOptions, SentenceEncoderProvider } from './sentence-encoder.provider';

/** The models `loadLocalProvider` runs (config's own list, which imports no lib, is held to this one by the spec). */
export const LOCAL_PROVIDER_MODELS: readonly string[] = [SENTENCE_ENCODER_MODEL, LOCAL_EMBEDDING_MODEL];

/**
 * The local provider of `model` (loaded once per process): the sentence encoder (the default; `threads`: the
 * most worker threads it runs, `nice`: their priority) or the GloVe model. Config refuses other names with `EMBEDDING_PROVIDER=local`
 * before anything loads.
 */
export function loadLocalProvider(
  model: string,
  options: SentenceEncoderOptions = {},
): Promise<LocalEmbeddingProvider | SentenceEncoderProvider> {
  if (model === SENTENCE_ENCODER_MODEL) return SentenceEncoderProvider.load(options);
  if (model === LOCAL_EMBEDDING_MODEL) return LocalEmbeddingProvider.load();
  return Promise.reject(new Error(`${model} is not a local embedding model (${LOCAL_PROVIDER_MODELS.join(', ')})`));
}
