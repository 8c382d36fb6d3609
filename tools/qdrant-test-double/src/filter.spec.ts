import { type FilterablePoint, compileFilter, lookup } from './filter';
import { QdrantHttpError } from './qdrant-http-error';

const point = (payload: Record<string, unknown>, id: number | string = 1): FilterablePoint => ({ id, payload });

const red = point({ color: 'red', size: 3, tags: ['a', 'b'], meta: { owner: 'ann' }, when: '2024-05-01T00:00:00Z' }, 1);
const blue = point({ color: 'blue', size: 7, tags: ['c'], meta: { owner: 'bob' } }, 2);
const bare = point({}, '4f9c1c3e-8f59-4ad4-9c2c-3a9a3f0e4b11');

function matching(filter: unknown): (number | string)[] {
  const predicate = compileFilter(filter);
  return [red, blue, bare].filter(predicate).map((p) => p.id);
}

describe(compileFilter.name, () => {
  it('matches every point when there is no filter or an empty one', () => {
    expect(matching(undefined)).toEqual([1, 2, bare.id]);
    expect(matching(null)).toEqual([1, 2, bare.id]);
    expect(matching({})).toEqual([1, 2, bare.id]);
  });

  it('requires every must condition', () => {
    expect(
      matching({
        must: [
          { key: 'color', match: { value: 'red' } },
          { key: 'size', range: { lt: 5 } },
        ],
      }),
    ).toEqual([1]);
    expect(
      matching({
        must: [
          { key: 'color', match: { value: 'red' } },
          { key: 'size', range: { gt: 5 } },
        ],
      }),
    ).toEqual([]);
  });

  it('accepts a single condition in place of a list', () => {
    expect(matching({ must: { key: 'color', match: { value: 'blue' } } })).toEqual([2]);
  });

  it('requires at least one should condition when should is present', () => {
    expect(
      matching({
        should: [
          { key: 'color', match: { value: 'red' } },
          { key: 'color', match: { value: 'blue' } },
        ],
      }),
    ).toEqual([1, 2]);
  });

  it('excludes points matching any must_not condition, including points without the field', () => {
    expect(matching({ must_not: [{ key: 'color', match: { value: 'red' } }] })).toEqual([2, bare.id]);
  });

  it('matches a value against any element of an array field', () => {
    expect(matching({ must: [{ key: 'tags', match: { value: 'b' } }] })).toEqual([1]);
  });

  it('matches any of the listed values with match.any, and nothing for an empty list', () => {
    expect(matching({ must: [{ key: 'tags', match: { any: ['c', 'z'] } }] })).toEqual([2]);
    expect(matching({ must: [{ key: 'tags', match: { any: [] } }] })).toEqual([]);
  });

  it('compares exact values: a keyword never matches a number of the same spelling', () => {
    expect(matching({ must: [{ key: 'size', match: { value: '3' } }] })).toEqual([]);
    expect(matching({ must: [{ key: 'size', match: { value: 3 } }] })).toEqual([1]);
  });

  it('applies numeric range bounds with their strictness', () => {
    expect(matching({ must: [{ key: 'size', range: { gte: 3, lte: 3 } }] })).toEqual([1]);
    expect(matching({ must: [{ key: 'size', range: { gt: 3 } }] })).toEqual([2]);
    expect(matching({ must: [{ key: 'size', range: {} }] })).toEqual([1, 2]);
  });

  it('applies datetime ranges when the bounds are strings', () => {
    expect(matching({ must: [{ key: 'when', range: { gt: '2024-04-30T23:59:59Z' } }] })).toEqual([1]);
    expect(matching({ must: [{ key: 'when', range: { gt: '2024-05-01T00:00:00Z' } }] })).toEqual([]);
  });

  it('reads nested keys with dotted paths', () => {
    expect(matching({ must: [{ key: 'meta.owner', match: { value: 'bob' } }] })).toEqual([2]);
  });

  it('evaluates nested filters and min_should', () => {
    expect(
      matching({
        must: [
          {
            should: [
              { key: 'size', range: { gt: 5 } },
              { key: 'tags', match: { value: 'a' } },
            ],
          },
        ],
        must_not: [{ must: [{ key: 'meta.owner', match: { value: 'bob' } }] }],
      }),
    ).toEqual([1]);
    expect(
      matching({
        min_should: {
          conditions: [
            { key: 'color', match: { value: 'red' } },
            { key: 'size', range: { lt: 5 } },
            { key: 'tags', match: { value: 'c' } },
          ],
          min_count: 2,
        },
      }),
    ).toEqual([1]);
  });

  it('selects by id with has_id, normalising UUIDs', () => {
    expect(matching({ must: [{ has_id: [2, String(bare.id).toUpperCase()] }] })).toEqual([2, bare.id]);
  });

  it('treats a missing field as empty and a present one as not', () => {
    expect(matching({ must: [{ is_empty: { key: 'color' } }] })).toEqual([bare.id]);
  });

  it.each([
    ['a clause that is not an object', { must: ['color'] }],
    ['an unknown filter key', { and: [] }],
    ['a field condition without a check', { must: [{ key: 'color' }] }],
    ['a match on a list value', { must: [{ key: 'color', match: { value: ['red'] } }] }],
    ['a range with a non-numeric bound', { must: [{ key: 'size', range: { gt: true } }] }],
    ['an unsupported match variant', { must: [{ key: 'color', match: { text: 'red' } }] }],
  ])('rejects %s with a 400 up front', (_, filter) => {
    expect(() => compileFilter(filter)).toThrow(QdrantHttpError);
    try {
      compileFilter(filter);
    } catch (error) {
      expect((error as QdrantHttpError).statusCode).toBe(400);
    }
  });
});

describe(lookup.name, () => {
  it('flattens arrays along the path and at the leaf', () => {
    const payload = { items: [{ n: 1 }, { n: [2, 3] }], x: null };
    expect(lookup(payload, 'items[].n')).toEqual([1, 2, 3]);
    expect(lookup(payload, 'items.n')).toEqual([1, 2, 3]);
    expect(lookup(payload, 'x')).toEqual([null]);
    expect(lookup(payload, 'missing.deep')).toEqual([]);
  });
});
