import { l1EvictEventSchema } from '@strata/contracts';
import { l1Eviction } from './l1-eviction';

describe(l1Eviction.name, () => {
  it('evicts by the purge selector itself, stamped with the generation', () => {
    const selector = { tenant: 'acme', tags: ['doc:1'], namespace: 'support', purgeId: 'p1' };

    expect(l1Eviction(selector, { l2: 1, l3: 1, generation: 7 })).toEqual({ ...selector, generation: 7 });
  });

  it("evicts a semantic purge's selected entries by their $entry tags, never by its namespace", () => {
    const selector = {
      tenant: 'acme',
      namespace: 'support',
      purgeId: 'p2',
      action: 'purge' as const,
      semantic: { text: 'returns', minSimilarity: 0.8 },
    };

    const evict = l1Eviction(selector, {
      l2: 3,
      l3: 2,
      generation: 9,
      semantic: { entryIds: ['a', 'b'], truncated: false },
    });

    expect(evict).toEqual({
      tenant: 'acme',
      tags: ['$entry:a', '$entry:b'],
      purgeId: 'p2',
      action: 'purge',
      generation: 9,
    });
    expect(l1EvictEventSchema.safeParse(evict).success).toBe(true);
  });

  it('broadcasts nothing for a semantic purge that selected nothing', () => {
    const selector = { tenant: 'acme', semantic: { text: 'returns', minSimilarity: 0.8 } };

    expect(l1Eviction(selector, { l2: 0, l3: 0, semantic: { entryIds: [], truncated: false } })).toBeUndefined();
  });
});
