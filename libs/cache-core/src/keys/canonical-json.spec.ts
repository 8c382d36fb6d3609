import { canonicalJson } from './canonical-json';

describe(canonicalJson.name, () => {
  it('sorts object keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
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
