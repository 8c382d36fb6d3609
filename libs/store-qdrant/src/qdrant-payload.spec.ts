import { type CacheEntry } from '@strata/cache-core';
import {
  entryFromPayload,
  onlyLive,
  purgeFilter,
  rootIdFromTags,
  searchFilter,
  similarFilter,
  toPayload,
} from './qdrant-payload';

const entry: CacheEntry = {
  id: '3b0c6f1e-8d0a-4f61-9a55-0d1f7b2c9e10',
  tenant: 'acme',
  namespace: 'support',
  namespaceVersion: 2,
  model: 'gpt-4o-mini',
  exactKey: 'a'.repeat(64),
  contextHash: 'b'.repeat(64),
  query: 'how do i return an item?',
  response: { id: Number.MAX_SAFE_INTEGER * 1024, text: 'Within 30 days.', p: -3e-7 },
  tags: ['product:1', '$entry:3b0c6f1e-8d0a-4f61-9a55-0d1f7b2c9e10'],
  createdAt: 1_700_000_000_000,
  expiresAt: 1_700_000_600_000,
  aliasOf: 'root',
};

describe(toPayload.name, () => {
  it('holds the filterable fields and the whole entry, which reads back equal', () => {
    const payload = toPayload(entry);

    expect(payload).toMatchObject({
      tenant: 'acme',
      context_hash: entry.contextHash,
      namespace: 'support',
      tags: entry.tags,
      expires_at: entry.expiresAt,
    });
    expect(entryFromPayload(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>)).toEqual(entry);
  });
});

describe(entryFromPayload.name, () => {
  it.each([
    ['no payload', null],
    ['no entry field', { tenant: 'acme' }],
    ['an entry that is not JSON', { entry: '{' }],
    ['an entry missing fields', { entry: JSON.stringify({ id: 'x', tenant: 'acme' }) }],
    ['an entry with non-string tags', { entry: JSON.stringify({ ...entry, tags: [1] }) }],
  ])('ignores a point with %s', (_, payload) => {
    expect(entryFromPayload(payload)).toBeUndefined();
  });
});

describe(searchFilter.name, () => {
  it('requires the tenant, the context hash and expires_at > now', () => {
    expect(searchFilter({ tenant: 't', contextHash: 'c', now: 5 })).toEqual({
      must: [
        { key: 'tenant', match: { value: 't' } },
        { key: 'context_hash', match: { value: 'c' } },
        { key: 'expires_at', range: { gt: 5 } },
      ],
    });
  });
});

describe(similarFilter.name, () => {
  it('requires the tenant and expires_at > now, in any context', () => {
    expect(similarFilter({ tenant: 't', now: 5 })).toEqual({
      must: [
        { key: 'tenant', match: { value: 't' } },
        { key: 'expires_at', range: { gt: 5 } },
      ],
    });
  });

  it('narrows to the namespace when given', () => {
    expect(similarFilter({ tenant: 't', namespace: 'n', now: 5 })).toEqual({
      must: [
        { key: 'tenant', match: { value: 't' } },
        { key: 'namespace', match: { value: 'n' } },
        { key: 'expires_at', range: { gt: 5 } },
      ],
    });
  });
});

describe(rootIdFromTags.name, () => {
  it.each([
    ['its own $entry tag', ['doc:1', '$entry:self'], 'self'],
    ["a copy's $entry tag of its root", ['doc:1', '$entry:root'], 'root'],
    ['both its own and a root tag', ['$entry:self', '$entry:root'], 'root'],
    ['no $entry tag', ['doc:1'], 'self'],
    ['tags that are not a list', 'nope', 'self'],
    ['an empty $entry tag', ['$entry:'], 'self'],
  ])('reads the root of a point with %s', (_, tags, root) => {
    expect(rootIdFromTags('self', tags)).toBe(root);
  });
});

describe(purgeFilter.name, () => {
  it('matches any of the tags within the tenant, narrowed by namespace when given', () => {
    expect(purgeFilter({ tenant: 't', tags: ['a', 'b'], namespace: 'n' })).toEqual({
      must: [
        { key: 'tenant', match: { value: 't' } },
        { key: 'tags', match: { any: ['a', 'b'] } },
        { key: 'namespace', match: { value: 'n' } },
      ],
    });
  });

  it('selects a whole namespace when only the namespace is given (an empty tag list counts as none)', () => {
    expect(purgeFilter({ tenant: 't', tags: [], namespace: 'n' })).toEqual({
      must: [
        { key: 'tenant', match: { value: 't' } },
        { key: 'namespace', match: { value: 'n' } },
      ],
    });
  });

  it('selects nothing without tags or namespace', () => {
    expect(purgeFilter({ tenant: 't' })).toBeUndefined();
    expect(purgeFilter({ tenant: 't', tags: [] })).toBeUndefined();
  });
});

describe(onlyLive.name, () => {
  it('nests the filter next to the expiry condition', () => {
    const filter = { must: [{ key: 'tenant', match: { value: 't' } }] };

    expect(onlyLive(filter, 9)).toEqual({ must: [filter, { key: 'expires_at', range: { gt: 9 } }] });
  });
});
