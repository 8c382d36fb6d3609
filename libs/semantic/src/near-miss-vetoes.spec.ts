import { LocalEmbeddingProvider, loadWordNet, loadWordVectors } from '@strata/embedding-local';
import { DEFAULT_SIMILARITY_THRESHOLD } from './calibration';
import { SemanticVerifier } from './semantic-verifier';

/**
 * Every kind of near miss the verifier vetoes, and the harmless differences it must not veto. Runs on the
 * real local model and WordNet (node_modules).
 */
describe(`${SemanticVerifier.name} vetoes`, () => {
  let verifier: SemanticVerifier;
  let provider: LocalEmbeddingProvider;
  beforeAll(async () => {
    const [vectors, wordNet] = await Promise.all([loadWordVectors(), loadWordNet()]);
    verifier = SemanticVerifier.create(vectors, wordNet);
    provider = await LocalEmbeddingProvider.load();
  }, 120_000);

  function verify(stored: string, lookup: string, threshold = DEFAULT_SIMILARITY_THRESHOLD) {
    const a = provider.embedOne(stored);
    const b = provider.embedOne(lookup);
    const cosine = a.reduce((sum, x, i) => sum + x * b[i], 0);
    return verifier.explain(lookup, stored, cosine, threshold);
  }

  const cases: readonly (readonly [string, string, string])[] = [
    [
      'code-mismatch',
      'What does this print?\n```python\nprint(a - b)\n```',
      'What does this print?\n```python\nprint(a + b)\n```',
    ],
    ['code-mismatch', 'Explain `arr.sort((a, b) => a - b)`', 'Explain `arr.sort((a, b) => b - a)`'],
    ['code-mismatch', 'What does `git rebase` do?', 'What does `git merge` do?'],
    ['operator-mismatch', 'Why is x > 0 true here?', 'Why is x < 0 true here?'],
    [
      'operator-mismatch',
      'In JavaScript, when does a == b return true?',
      'In JavaScript, when does a != b return true?',
    ],
    ['operator-mismatch', 'What does a - b return for two arrays?', 'What does a + b return for two arrays?'],
    ['direction-mismatch', 'Should I take aspirin before surgery?', 'Should I take aspirin after surgery?'],
    ['direction-mismatch', 'Cheapest flights from London to Paris', 'Cheapest flights from Paris to London'],
    ['direction-mismatch', 'How do I convert km to miles?', 'How do I convert miles to km?'],
    ['direction-mismatch', 'Is it a good time to buy Tesla stock?', 'Is it a good time to sell Tesla stock?'],
    ['direction-mismatch', 'How do I import contacts into Outlook?', 'How do I export contacts from Outlook?'],
    ['direction-mismatch', 'Is the temperature above freezing?', 'Is the temperature below freezing?'],
    [
      'direction-mismatch',
      'How do I move money into my savings account?',
      'How do I move money out of my savings account?',
    ],
    ['antonym', 'Is it safe to drink hot water after a meal?', 'Is it safe to drink cold water after a meal?'],
    ['antonym', 'What are the advantages of remote work?', 'What are the disadvantages of remote work?'],
    ['unit-mismatch', 'How long does it take to run 5 km?', 'How long does it take to run 5 miles?'],
    ['unit-mismatch', 'Convert 50 dollars to yen', 'Convert 50 euros to yen'],
    ['unit-mismatch', 'Is $20 a good tip?', 'Is €20 a good tip?'],
    ['date-mismatch', 'What is the weather in Berlin today?', 'What is the weather in Berlin tomorrow?'],
    ['date-mismatch', 'Are banks open on Sunday?', 'Are banks open on Saturday?'],
    ['number-mismatch', 'What happened in March 2020?', 'What happened in March 2021?'],
    ['name-mismatch', 'Who is the CEO of Microsoft?', 'Who is the CEO of Apple?'],
    ['negation-mismatch', 'Pourquoi mon code ne fonctionne pas ?', 'Pourquoi mon code fonctionne ?'],
    ['negation-mismatch', 'Warum funktioniert mein Code nicht?', 'Warum funktioniert mein Code?'],
    ['negation-mismatch', '¿Por qué no funciona mi código?', '¿Por qué funciona mi código?'],
    ['negation-mismatch', 'Ich habe keine Zeit am Montag.', 'Ich habe Zeit am Montag.'],
    ['number-mismatch', 'Wie viel kosten zwei Tickets?', 'Wie viel kosten drei Tickets?'],
    ['number-mismatch', 'Necesito cinco entradas.', 'Necesito seis entradas.'],
    ['number-mismatch', 'Je voudrais deux cafés.', 'Je voudrais trois cafés.'],
    ['script-mismatch', '北京今天的天气怎么样？', '上海今天的天气怎么样？'],
    ['script-mismatch', '这个方法可以用吗？', '这个方法不可以用吗？'],
  ];

  it.each(cases)('vetoes with %s: %j vs %j', (reason, stored, lookup) => {
    const verdict = verify(stored, lookup, 0);
    expect(verdict).toMatchObject({ accepted: false, similarity: 0, reason });
    expect(verdict.detail).toEqual(expect.any(String));
  });

  it.each([
    ['What does `git reset --hard HEAD~1` do?', 'what does `git   reset --hard HEAD~1` do'],
    ['No, Python doesn’t support tail calls, does it?', 'Python does not support tail calls, does it?'],
    ['Pourquoi mon code ne fonctionne pas ?', 'pourquoi mon code ne fonctionne pas'],
    ['北京今天的天气怎么样？', '北京 今天的天气怎么样'],
    ['東京の天気はどうですか？', '東京の天気はどうですか'],
    ['How much is 5 km in miles?', 'how much is 5 km in miles'],
    ['Should I take aspirin before surgery?', 'should I take an aspirin before surgery'],
  ])('does not veto a harmless difference: %j ~ %j', (stored, lookup) => {
    expect(verify(stored, lookup).accepted).toBe(true);
  });

  it('scores the same words as 1 whatever their length (a 2 000-word prompt against itself)', () => {
    const prompt = Array.from(
      { length: 200 },
      (_, i) => `Clause ${i} of the Northwind contract covers delivery terms.`,
    ).join(' ');
    expect(verify(prompt, prompt)).toMatchObject({ accepted: true, similarity: 1 });
    expect(verify(prompt, prompt.replace(/\. /g, '.\n\n'))).toMatchObject({ accepted: true, similarity: 1 });
  });

  it('rejects a long prompt in which one name changed, however similar the rest', () => {
    const prompt = Array.from(
      { length: 30 },
      (_, i) => `Clause ${i} of the Northwind contract covers delivery terms.`,
    ).join(' ');
    const changed = prompt.replace('Clause 17 of the Northwind', 'Clause 17 of the Contoso');
    expect(verify(prompt, changed, 0)).toMatchObject({ accepted: false, reason: 'long-prompt-mismatch' });
  });

  it('tolerates function-word differences in a long prompt', () => {
    const prompt = Array.from({ length: 30 }, (_, i) => `Clause ${i} of the contract covers the delivery terms.`).join(
      ' ',
    );
    expect(verify(prompt, prompt.replace(/ the /g, ' a ')).accepted).toBe(true);
  });

  it('aligns words one to one: one "cat" cannot cover two', () => {
    const twice = verify('Can a cat and a dog live together?', 'Can a cat and a cat live together?', 0);
    const same = verify('Can a cat and a dog live together?', 'Can a dog and a cat live together?', 0);
    expect(twice.features?.exactCoverage).toBeLessThan(1);
    expect(same.features?.exactCoverage ?? 1).toBe(1);
  });

  it('credits WordNet synonyms the word vectors miss', () => {
    const verdict = verify('How do I fix a flat tyre on my automobile?', 'How do I fix a flat tyre on my car?', 0);
    expect(verdict.features?.softCoverage).toBeGreaterThanOrEqual(0.9);
  });
});
