import { entryGenerationFields, purgeGenerationFields } from './generation-fields';

describe('generation fields', () => {
  const entry = { tags: ['product:1', 'doc:a'], namespace: 'shop' };
  const overlaps = (purge: string[]) => purge.some((f) => entryGenerationFields(entry).includes(f));

  it('makes an entry stale for a purge of any of its tags', () => {
    expect(overlaps(purgeGenerationFields({ tags: ['doc:a'] }))).toBe(true);
  });

  it('makes an entry stale for a purge of its tag within its namespace, not within another', () => {
    expect(overlaps(purgeGenerationFields({ tags: ['doc:a'], namespace: 'shop' }))).toBe(true);
    expect(overlaps(purgeGenerationFields({ tags: ['doc:a'], namespace: 'blog' }))).toBe(false);
  });

  it('makes an entry stale for a purge of its namespace', () => {
    expect(overlaps(purgeGenerationFields({ namespace: 'shop' }))).toBe(true);
    expect(overlaps(purgeGenerationFields({ namespace: 'blog' }))).toBe(false);
  });

  it('leaves an entry alone for tags it does not carry', () => {
    expect(overlaps(purgeGenerationFields({ tags: ['product:2'] }))).toBe(false);
  });
});
