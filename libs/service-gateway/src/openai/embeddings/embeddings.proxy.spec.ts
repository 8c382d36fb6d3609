import { base64Vector, estimateTokens } from './embeddings.proxy';

describe('embeddings wire format', () => {
  it('encodes a vector as OpenAI does for base64: little-endian float32 bytes', () => {
    const encoded = base64Vector([1, -0.5, 0.25]);
    const bytes = Buffer.from(encoded, 'base64');
    expect(bytes.length).toBe(12);
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4), bytes.readFloatLE(8)]).toEqual([1, -0.5, 0.25]);
  });

  it('estimates tokens as words and punctuation marks', () => {
    expect(estimateTokens('Hello, world! How are you?')).toBe(8);
    expect(estimateTokens('   ')).toBe(0);
    expect(estimateTokens('naïve café')).toBe(2);
  });
});
