import { collectionName, isCollectionOf } from './collection-name';

describe(collectionName.name, () => {
  it('joins prefix and model when the model name is already safe', () => {
    expect(collectionName('strata', 'glove-wiki-100d')).toBe('strata_glove-wiki-100d');
  });

  it('replaces unsafe characters and appends a hash of the original name, so sanitised names never collide', () => {
    const slashed = collectionName('strata', 'BAAI/bge-small-en-v1.5');
    const underscored = collectionName('strata', 'BAAI_bge-small-en-v1_5');

    expect(slashed).toMatch(/^strata_BAAI_bge-small-en-v1_5_[0-9a-f]{8}$/);
    expect(underscored).toBe('strata_BAAI_bge-small-en-v1_5');
    expect(slashed).not.toBe(underscored);
  });

  it('is deterministic', () => {
    expect(collectionName('p', 'a b')).toBe(collectionName('p', 'a b'));
  });

  it('stays within 255 characters for very long model names', () => {
    const name = collectionName('strata', 'm'.repeat(400));

    expect(name.length).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^strata_m+_[0-9a-f]{8}$/);
  });

  it('names a collection for an empty model name', () => {
    expect(collectionName('strata', '')).toMatch(/^strata_[0-9a-f]{8}$/);
  });
});

describe(isCollectionOf.name, () => {
  it("recognises the prefix's collections only", () => {
    expect(isCollectionOf('strata', 'strata_glove')).toBe(true);
    expect(isCollectionOf('strata', 'stratax_glove')).toBe(false);
    expect(isCollectionOf('strata', 'strata_')).toBe(false);
    expect(isCollectionOf('strata', 'other_glove')).toBe(false);
  });
});
