import { embeddingCacheKey } from './embedding-cache-key';

describe(embeddingCacheKey.name, () => {
  const SHA256_OF_HELLO = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

  it('is the scheme version, model, requested dimension and SHA-256 of the UTF-8 text', () => {
    expect(embeddingCacheKey('text-embedding-3-small', 512, 'hello')).toBe(
      `v1:text-embedding-3-small:512:${SHA256_OF_HELLO}`,
    );
  });

  it('marks a model used at its native length as "native"', () => {
    expect(embeddingCacheKey('nomic-embed-text:latest', undefined, 'hello')).toBe(
      `v1:nomic-embed-text:latest:native:${SHA256_OF_HELLO}`,
    );
  });

  it('differs by model, by dimension and by text, and does not normalise the text', () => {
    const keys = new Set([
      embeddingCacheKey('m', 256, 'hello'),
      embeddingCacheKey('n', 256, 'hello'),
      embeddingCacheKey('m', 512, 'hello'),
      embeddingCacheKey('m', undefined, 'hello'),
      embeddingCacheKey('m', 256, 'Hello'),
      embeddingCacheKey('m', 256, 'hello '),
    ]);
    expect(keys.size).toBe(6);
  });

  it('is stable for non-ASCII text', () => {
    expect(embeddingCacheKey('m', 3, 'naïve café 日本')).toBe(embeddingCacheKey('m', 3, 'naïve café 日本'));
    expect(embeddingCacheKey('m', 3, 'naïve')).not.toBe(embeddingCacheKey('m', 3, 'naive'));
  });
});
