export { LOCAL_EMBEDDING_MODEL, LocalEmbeddingProvider } from './local-embedding.provider';
export type { LocalEmbeddingOptions } from './local-embedding.provider';
export { DEFAULT_MAX_WORDS, loadWordVectors } from './word-vectors.loader';
export type { WordVectorsOptions } from './word-vectors.loader';
export { loadWordNet } from './wordnet';
export { SENTENCE_ENCODER_MODEL, SentenceEncoderProvider } from './sentence-encoder.provider';
export { loadLocalProvider } from './local-providers';
