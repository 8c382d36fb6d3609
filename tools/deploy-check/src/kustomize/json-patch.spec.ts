import { applyJsonPatch } from './json-patch';

describe(applyJsonPatch.name, () => {
  it('adds, replaces, removes and tests', () => {
    const doc = { a: [1, 2], b: { 'c/d': 1 } };
    applyJsonPatch(doc, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'add', path: '/a/0', value: 0 },
      { op: 'replace', path: '/b/c~1d', value: 2 },
      { op: 'remove', path: '/a/1' },
      { op: 'test', path: '/a', value: [0, 2, 3] },
    ]);
    expect(doc).toEqual({ a: [0, 2, 3], b: { 'c/d': 2 } });
  });

  it('refuses paths that do not exist and failed tests', () => {
    expect(() => applyJsonPatch({ a: {} }, [{ op: 'replace', path: '/a/b', value: 1 }])).toThrow('"b" does not exist');
    expect(() => applyJsonPatch({ a: [1] }, [{ op: 'remove', path: '/a/1' }])).toThrow('out of range');
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow('test /a failed');
  });
});
