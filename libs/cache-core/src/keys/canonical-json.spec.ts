import { ErrorCode, MAX_JSON_DEPTH } from '@strata/contracts';
import { canonicalJson } from './canonical-json';

describe(canonicalJson.name, () => {
  it('sorts object keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('matches JSON.stringify for plain values', () => {
    for (const value of ['x"y', 1.5, -0, true, null, [1, 'a', null]]) {
      expect(canonicalJson(value)).toBe(JSON.stringify(value));
    }
  });

  it('writes non-finite numbers and undefined array items as null, like JSON', () => {
    expect(canonicalJson([NaN, Infinity, undefined])).toBe('[null,null,null]');
  });
});

describe(`${canonicalJson.name} on deep nesting`, () => {
  const nested = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = { a: [value] };
    return value;
  };

  it('refuses a value nested 10,000 levels (5,000 objects in arrays) with a client error instead of overflowing the stack', () => {
    expect(() => canonicalJson(nested(5_000))).toThrow(
      expect.objectContaining({ name: 'StrataError', code: ErrorCode.InvalidRequest }),
    );
  });

  it('serialises everything up to MAX_JSON_DEPTH', () => {
    expect(canonicalJson(nested(MAX_JSON_DEPTH / 2))).toBe(JSON.stringify(nested(MAX_JSON_DEPTH / 2)));
  });
});
