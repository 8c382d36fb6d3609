import { decodeText, encodeText } from './redis-text';

describe(encodeText.name, () => {
  const lone = ['\ud800', 'price:\udc00', 'a\ud83d', '\u0001marked', '\u0001\ud800'];

  it('keeps well-formed strings as they are', () => {
    for (const value of ['product:123', 'émoji 😀', '', '{tenant}', '\\ud800']) expect(encodeText(value)).toBe(value);
  });

  it('spells out lone surrogates as valid UTF-8 and decodes them back exactly', () => {
    for (const value of lone) {
      const encoded = encodeText(value);
      expect(Buffer.from(encoded, 'utf8').toString('utf8')).toBe(encoded);
      expect(decodeText(encoded)).toBe(value);
    }
  });

  it('never maps two strings to the same encoding', () => {
    const values = [...lone, '\ud801', '\\ud800', '\u0001\\ud800', 'price:\udc01', '\ufffd'];
    expect(new Set(values.map(encodeText)).size).toBe(values.length);
  });
});
