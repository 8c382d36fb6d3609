import { surrogateKeysOfEntry, surrogateKeysOfPurge } from './surrogate-keys';

describe('surrogate keys', () => {
  const entry = {
    tenant: 'acme',
    namespace: 'faq',
    id: '11111111-1111-8111-8111-111111111111',
    tags: ['product 1', '$entry:22222222-2222-8222-8222-222222222222'],
  };

  it('name a public answer by its namespace, its entry, the entry it was copied from and its tags', () => {
    expect(surrogateKeysOfEntry(entry)).toEqual([
      'strata:acme:ns:faq',
      'strata:acme:entry:11111111-1111-8111-8111-111111111111',
      'strata:acme:tag:product%201',
      'strata:acme:entry:22222222-2222-8222-8222-222222222222',
    ]);
  });

  it('select, for each kind of purge, keys the purged answers carry', () => {
    const byEntryKey = new Set(surrogateKeysOfEntry(entry));
    const purges = [
      surrogateKeysOfPurge({ tenant: 'acme', tags: ['product 1'] }),
      surrogateKeysOfPurge({ tenant: 'acme', namespace: 'faq' }),
      surrogateKeysOfPurge({ tenant: 'acme', tags: ['$entry:22222222-2222-8222-8222-222222222222'] }),
      surrogateKeysOfPurge({ tenant: 'acme', namespace: 'faq' }, ['11111111-1111-8111-8111-111111111111']),
    ];
    for (const keys of purges) expect(keys.some((k) => byEntryKey.has(k))).toBe(true);
  });

  it('never carry a user pseudonym, and never match another tenant', () => {
    expect(surrogateKeysOfPurge({ tenant: 'acme', tags: ['$user:abc'] })).toEqual([]);
    const other = new Set(surrogateKeysOfPurge({ tenant: 'globex', tags: ['product 1'], namespace: 'faq' }));
    expect(surrogateKeysOfEntry(entry).some((k) => other.has(k))).toBe(false);
  });
});
