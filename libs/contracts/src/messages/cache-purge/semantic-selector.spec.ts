import { invalidationRequestSchema, purgeRequestSchema } from '../../api/cache-api.schema';
import { dataChangeEventSchema } from '../data-change';
import { cachePurgeReplySchema, purgeSelectorSchema, semanticSelectorSchema } from './index';

const semantic = { text: 'how do I return shoes?', minSimilarity: 0.85 };

describe('semantic purge selectors', () => {
  describe('semanticSelectorSchema', () => {
    it('takes a text and a cosine radius in [0, 1]', () => {
      expect(semanticSelectorSchema.parse(semantic)).toEqual(semantic);
      expect(semanticSelectorSchema.parse({ text: '  padded  ', minSimilarity: 0 })).toEqual({
        text: 'padded',
        minSimilarity: 0,
      });
    });

    it.each([
      ['an empty text', { text: '   ', minSimilarity: 0.9 }],
      ['a radius above 1', { text: 'x', minSimilarity: 1.2 }],
      ['a negative radius', { text: 'x', minSimilarity: -0.1 }],
      ['no radius', { text: 'x' }],
      ['an unknown field', { ...semantic, limit: 5 }],
    ])('rejects %s', (_, value) => {
      expect(semanticSelectorSchema.safeParse(value).success).toBe(false);
    });
  });

  it('lets semantic select a cache purge alone or narrowed by a namespace, never with tags', () => {
    expect(purgeSelectorSchema.safeParse({ tenant: 'acme', semantic }).success).toBe(true);
    expect(purgeSelectorSchema.safeParse({ tenant: 'acme', namespace: 'support', semantic }).success).toBe(true);
    expect(purgeSelectorSchema.safeParse({ tenant: 'acme', tags: ['doc:1'], semantic }).success).toBe(false);
    expect(purgeSelectorSchema.safeParse({ tenant: 'acme' }).success).toBe(false);
  });

  it('keeps replies without a semantic part valid (additive change)', () => {
    expect(cachePurgeReplySchema.parse({ l2: 1, l3: 1 })).toEqual({ l2: 1, l3: 1 });
    expect(
      cachePurgeReplySchema.parse({ l2: 2, l3: 1, semantic: { entryIds: ['a'], truncated: false } }),
    ).toMatchObject({
      semantic: { entryIds: ['a'], truncated: false },
    });
  });

  describe('dataChangeEventSchema', () => {
    const event = { id: 'evt-1', tenant: 'acme', occurredAt: '2026-01-01T00:00:00Z' };

    it('accepts semantic as the only selector', () => {
      expect(dataChangeEventSchema.parse({ ...event, semantic })).toMatchObject({
        semantic,
        tags: [],
        action: 'purge',
      });
      expect(dataChangeEventSchema.safeParse({ ...event, namespace: 'support', semantic }).success).toBe(true);
    });

    it('rejects semantic together with tags or entryIds, and an event with no selector', () => {
      expect(dataChangeEventSchema.safeParse({ ...event, tags: ['doc:1'], semantic }).success).toBe(false);
      expect(
        dataChangeEventSchema.safeParse({ ...event, entryIds: ['3b0c6f1e-8d0a-4f61-9a55-0d1f7b2c9e10'], semantic })
          .success,
      ).toBe(false);
      expect(dataChangeEventSchema.safeParse(event).success).toBe(false);
    });
  });

  it('accepts semantic in POST /v1/cache/purge and POST /v1/invalidations, not with tags', () => {
    expect(purgeRequestSchema.safeParse({ semantic }).success).toBe(true);
    expect(purgeRequestSchema.safeParse({ semantic, namespace: 'support' }).success).toBe(true);
    expect(purgeRequestSchema.safeParse({ semantic, tags: ['doc:1'] }).success).toBe(false);
    expect(invalidationRequestSchema.safeParse({ semantic, reason: 'policy changed' }).success).toBe(true);
    expect(invalidationRequestSchema.safeParse({ semantic, tags: ['doc:1'] }).success).toBe(false);
  });
});
