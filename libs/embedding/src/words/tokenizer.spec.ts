import { canonicalNumber, tokenize, tokenizeCased } from './tokenizer';

describe(tokenize.name, () => {
  it('lower-cases words and drops punctuation', () => {
    expect(tokenize('Hello, World! (Really?)')).toEqual(['hello', 'world', 'really']);
  });

  it('expands contractions, including negations typed without an apostrophe', () => {
    expect(tokenize("I can't, won't and don't; it's I'm we're")).toEqual([
      'i',
      'can',
      'not',
      'will',
      'not',
      'and',
      'do',
      'not',
      'it',
      'i',
      'am',
      'we',
      'are',
    ]);
    expect(tokenize('why cant I, he doesnt')).toEqual(['why', 'can', 'not', 'i', 'he', 'does', 'not']);
    expect(tokenize("do n't")).toEqual(['do', 'not']);
  });

  it('keeps numbers with their value', () => {
    expect(tokenize('1,000 people paid 3.50 in the 1990s')).toEqual([
      '1000',
      'people',
      'paid',
      '3.5',
      'in',
      'the',
      '1990',
      's',
    ]);
  });

  it('splits hyphenated words unless the vocabulary knows the compound', () => {
    expect(tokenize('state-of-the-art covid-19')).toEqual(['state', 'of', 'the', 'art', 'covid', '19']);
    expect(tokenize('state-of-the-art covid-19', (w) => w === 'state-of-the-art')).toEqual([
      'state-of-the-art',
      'covid',
      '19',
    ]);
  });

  it('folds typographic apostrophes and full-width characters', () => {
    expect(tokenize('Don’t ＡＢＣ')).toEqual(['do', 'not', 'abc']);
  });
});

describe(tokenizeCased.name, () => {
  it('marks which tokens were capitalised in the text', () => {
    expect(tokenizeCased("Flights to New York can't wait")).toEqual({
      tokens: ['flights', 'to', 'new', 'york', 'can', 'not', 'wait'],
      capitalized: [true, false, true, true, false, false, false],
    });
  });
});

describe(canonicalNumber.name, () => {
  it('removes thousands separators and trailing decimal zeros', () => {
    expect(canonicalNumber('1,000,000')).toBe('1000000');
    expect(canonicalNumber('3.50')).toBe('3.5');
  });
});
