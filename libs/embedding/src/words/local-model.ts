/**
 * Model name of the local provider (GloVe word vectors, `@strata/embedding-local`): stored with every L3
 * vector and in the embedding-cache key. Domain knowledge, so that the semantic verifier can tell the
 * local model's cosine from another provider's without depending on the adapter.
 */
export const LOCAL_EMBEDDING_MODEL = 'glove-wiki-100d';

/**
 * Model name of the local sentence encoder (Universal Sentence Encoder lite, `@strata/embedding-local`), the
 * embedded default: the verifier decides with its cosine and its built-in calibration (`@strata/semantic`).
 */
export const SENTENCE_ENCODER_MODEL = 'use-lite';
