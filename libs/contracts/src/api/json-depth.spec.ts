import { MAX_JSON_DEPTH, jsonDepth } from './json-depth';

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

describe(jsonDepth.name, () => {
  it('counts each array or object as one level', () => {
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth({ a: 1, b: [1, { c: [] }] })).toBe(4);
  });

  it('measures 100,000 levels without overflowing the stack, stopping once past the limit', () => {
    expect(jsonDepth(nest(100_000), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonDepth(nest(MAX_JSON_DEPTH))).toBe(MAX_JSON_DEPTH);
  });
});
