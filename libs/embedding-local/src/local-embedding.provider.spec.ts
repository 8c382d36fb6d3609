import { LOCAL_EMBEDDING_MODEL, LocalEmbeddingProvider } from './local-embedding.provider';

/** Uses the real model from node_modules (the first run ever builds its compact cache: a few seconds). */
describe(LocalEmbeddingProvider.name, () => {
  let provider: LocalEmbeddingProvider;
  beforeAll(async () => {
    provider = await LocalEmbeddingProvider.load();
  }, 120_000);

  const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * b[i], 0);

  it('names the model as the config default and knows its dimensions before the first call', () => {
    expect(provider.model).toBe(LOCAL_EMBEDDING_MODEL);
    expect(provider.model).toBe('glove-wiki-100d');
    expect(provider.dimensions).toBe(100);
  });

  it('loads once per process', async () => {
    expect(await LocalEmbeddingProvider.load()).toBe(provider);
  });

  it('returns one unit-length vector per text, in order, deterministically', async () => {
    const texts = ['How do I reset my password?', '', '?!', 'How do I reset my password?'];
    const vectors = await provider.embed(texts);
    expect(vectors).toHaveLength(4);
    for (const v of vectors) {
      expect(v).toHaveLength(100);
      expect(cosine(v, v)).toBeCloseTo(1, 5);
    }
    expect(vectors[3]).toEqual(vectors[0]);
  });

  it('puts a paraphrase closer than an unrelated question', async () => {
    const [query, paraphrase, unrelated] = await provider.embed([
      'How can I reset my password?',
      'What is the way to reset my password?',
      'What is the boiling point of water?',
    ]);
    expect(cosine(query, paraphrase)).toBeGreaterThan(0.9);
    expect(cosine(query, unrelated)).toBeLessThan(cosine(query, paraphrase) - 0.2);
  });

  it('tells apart questions that differ only in words the vocabulary does not know', async () => {
    const [a, b] = await provider.embed(['What is Zorblaxian syntax?', 'What is Quintarrian syntax?']);
    expect(cosine(a, b)).toBeLessThan(0.9);
  });

  it('gives the same vector through embedOne as through embed', async () => {
    const [viaEmbed] = await provider.embed(['Flights from New York to Florida']);
    expect(Array.from(provider.embedOne('Flights from New York to Florida'))).toEqual(viaEmbed);
  });
});
