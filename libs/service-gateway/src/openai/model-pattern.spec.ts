import { firstMatch, modelMatcher } from './model-pattern';

describe(modelMatcher.name, () => {
  it('matches plain names exactly and * as any characters', () => {
    expect(modelMatcher('gpt-4o')('gpt-4o')).toBe(true);
    expect(modelMatcher('gpt-4o')('gpt-4o-mini')).toBe(false);
    expect(modelMatcher('gpt-4o*')('gpt-4o-mini')).toBe(true);
    expect(modelMatcher('*/llama-3*')('meta/llama-3.1-8b')).toBe(true);
    expect(modelMatcher('a.b*')('aXb')).toBe(false);
  });
});

describe(firstMatch.name, () => {
  it('prefers an exact name, then the first matching wildcard', () => {
    const lookup = firstMatch([
      ['gpt-*', 'wild-1'],
      ['gpt-4o*', 'wild-2'],
      ['gpt-4o-mini', 'exact'],
    ]);
    expect(lookup('gpt-4o-mini')).toBe('exact');
    expect(lookup('gpt-4o')).toBe('wild-1');
    expect(lookup('llama')).toBeUndefined();
  });
});
