import { LocalEmbeddingProvider, loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { DEFAULT_SIMILARITY_THRESHOLD } from './calibration';
import { SemanticVerifier } from './semantic-verifier';

/** Runs on the real local model (node_modules); the first run ever builds its compact cache. */
describe(SemanticVerifier.name, () => {
  let verifier: SemanticVerifier;
  let provider: LocalEmbeddingProvider;
  beforeAll(async () => {
    const [vectors, wordNet] = await Promise.all([loadWordVectors(), loadWordNet()]);
    verifier = SemanticVerifier.create(vectors, wordNet);
    provider = await LocalEmbeddingProvider.load();
  }, 120_000);

  /** What the cache does: the vector index scores the candidate by cosine, the verifier decides. */
  function verify(query: string, candidate: string, threshold = DEFAULT_SIMILARITY_THRESHOLD) {
    const q = provider.embedOne(query);
    const c = provider.embedOne(candidate);
    const cosine = q.reduce((sum, x, i) => sum + x * c[i], 0);
    return verifier.verify(query, candidate, cosine, threshold);
  }

  it.each([
    ['What is the capital of France?', "What's the capital of France?"],
    ['How do I reset my password?', 'How can I reset my password?'],
    ['How do I reset my password?', 'how do i reset my password'],
    ['What is the best way to learn a new language?', 'What is the best way to learn new languages?'],
  ])('accepts the paraphrase %j ~ %j', (query, candidate) => {
    const verdict = verify(query, candidate);
    expect(verdict).toEqual({ accepted: true, similarity: expect.any(Number) as number, reason: 'match' });
    expect(verdict.similarity).toBeGreaterThanOrEqual(DEFAULT_SIMILARITY_THRESHOLD);
    expect(verdict.similarity).toBeLessThanOrEqual(1);
  });

  it('reports similarity 1 for the same question', () => {
    expect(verify('Explain how photosynthesis works', 'Explain how photosynthesis works.').similarity).toBeCloseTo(
      1,
      2,
    );
  });

  it.each([
    ['flights from New York to Florida', 'flights from Florida to New York'],
    ['Is Python faster than Java?', 'Is Java faster than Python?'],
    [
      'The River Boia is a tributary of the River Valea in Romania.',
      'The River Valea is a tributary of the River Boia in Romania.',
    ],
  ])('rejects swapped roles: %j vs %j', (query, candidate) => {
    const verdict = verify(query, candidate);
    expect(verdict.accepted).toBe(false);
    expect(['order-mismatch', 'direction-mismatch']).toContain(verdict.reason);
  });

  it.each([
    ['How do I learn Python?', 'How do I learn Java?'],
    ['What is the capital of France?', 'What is the capital of Germany?'],
    ['What is the weather like in Paris?', 'What is the weather like in London?'],
    ['How do I lose weight?', 'How do I gain weight?'],
  ])('rejects a different entity or topic: %j vs %j', (query, candidate) => {
    expect(verify(query, candidate).accepted).toBe(false);
  });

  it.each([
    ['How many days are in 2 weeks?', 'How many days are in 3 weeks?'],
    ['How long should I boil an egg?', 'How long should I boil 3 eggs?'],
    ['Give me five ideas', 'Give me 6 ideas'],
    ['What happened in 1999?', 'What happened in 2001?'],
  ])('rejects different numbers: %j vs %j', (query, candidate) => {
    expect(verify(query, candidate)).toEqual({ accepted: false, similarity: 0, reason: 'number-mismatch' });
  });

  it('treats a spelled-out number as equal to its digits', () => {
    expect(verify('Give me five ideas for dinner', 'Give me 5 ideas for dinner').accepted).toBe(true);
  });

  it.each([
    ['Can I take ibuprofen with alcohol?', "Can't I take ibuprofen with alcohol?"],
    ['Should I use React?', 'Should I not use React?'],
    ['Is it safe to drink tap water?', 'Is it never safe to drink tap water?'],
  ])('rejects a negated question: %j vs %j', (query, candidate) => {
    expect(verify(query, candidate)).toEqual({ accepted: false, similarity: 0, reason: 'negation-mismatch' });
  });

  it.each([
    ['Translate "good morning" to French', 'Translate "good night" to French'],
    ['Summarise https://example.com/a', 'Summarise https://example.com/b'],
  ])('rejects different quoted literals: %j vs %j', (query, candidate) => {
    expect(verify(query, candidate)).toEqual({ accepted: false, similarity: 0, reason: 'literal-mismatch' });
  });

  it('accepts a literal the other question contains unquoted', () => {
    expect(
      verify('Is it rude to call Jewish people "Jews"?', 'Is it rude to call Jewish people Jews?').reason,
    ).not.toBe('literal-mismatch');
  });

  it('applies the threshold to the similarity it reports', () => {
    const lenient = verify('What are the benefits of green tea?', 'What are the health benefits of green tea?', 0.5);
    const strict = verify('What are the benefits of green tea?', 'What are the health benefits of green tea?', 0.999);
    expect(lenient.similarity).toBe(strict.similarity);
    expect([lenient.accepted, strict.accepted]).toEqual([true, false]);
    expect(strict.reason).not.toBe('match');
  });

  it('rejects an empty question', () => {
    expect(verifier.verify('', 'What is it?', 1, 0)).toEqual({ accepted: false, similarity: 0, reason: 'empty' });
  });

  it('uses the cosine it is given when it comes from the local model', () => {
    const query = 'How do I reset my password?';
    const candidate = 'How can I reset my password?';
    expect(verifier.verify(query, candidate, 0.1, DEFAULT_SIMILARITY_THRESHOLD).accepted).toBe(false);
  });

  it('computes the local cosine itself when candidates come from another embedding model', async () => {
    const foreign = SemanticVerifier.create(await loadWordVectors(), await loadWordNet(), {
      embeddingModel: 'text-embedding-3-small',
    });
    const query = 'How do I reset my password?';
    // A cosine on another model's scale (here: low) does not change the calibrated similarity.
    const verdict = foreign.verify(query, 'How can I reset my password?', 0.1, DEFAULT_SIMILARITY_THRESHOLD);
    expect(verdict).toMatchObject({ accepted: true, reason: 'match' });
    expect(foreign.verify(query, 'How do I learn Java?', 0.99, DEFAULT_SIMILARITY_THRESHOLD).accepted).toBe(false);
  });

  it('stays usable on very long texts and scores a long text against itself as 1', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `word${i % 700} topic`).join(' ');
    expect(verifier.verify(long, long, 0.9, DEFAULT_SIMILARITY_THRESHOLD)).toEqual({
      accepted: true,
      similarity: 1,
      reason: 'match',
    });
    expect(verifier.verify(long, `${long} elephant`, 0.99, DEFAULT_SIMILARITY_THRESHOLD).reason).toBe(
      'long-prompt-mismatch',
    );
  });
});
