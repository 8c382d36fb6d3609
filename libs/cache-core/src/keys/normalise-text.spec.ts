import { normaliseText } from './normalise-text';

describe(normaliseText.name, () => {
  it.each([
    ['What  is\tthe   policy?', 'What is the policy?'],
    ['  padded text \n', 'padded text'],
    ['line one\r\nline two\rline three', 'line one\nline two\nline three'],
    ['a  \nb', 'a\nb'],
    ['a\n\n\n\nb', 'a\n\nb'],
  ])('normalises %j', (input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });

  it('keeps indentation, which carries meaning in YAML and Python', () => {
    expect(normaliseText('fix this:\na:\n  b: 1')).toBe('fix this:\na:\n  b: 1');
    expect(normaliseText('fix this:\na:\n  b: 1')).not.toBe(normaliseText('fix this:\na:\nb: 1'));
    expect(normaliseText('def f():\n\treturn 1   \n')).toBe('def f():\n\treturn 1');
  });

  it('returns text that needs nothing unchanged, and is idempotent', () => {
    for (const text of ['plain question?', 'x\n  y', 'What  is\tthe   policy? ', 'a\r\n\r\n\r\nb  ']) {
      const once = normaliseText(text);
      expect(normaliseText(once)).toBe(once);
    }
    expect(normaliseText('plain question?')).toBe('plain question?');
  });
});
