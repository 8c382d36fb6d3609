import { DELETE, strategicMerge } from './strategic-merge';

describe(strategicMerge.name, () => {
  it('merges maps recursively and deletes fields set to null', () => {
    expect(strategicMerge({ a: { b: 1, c: 2 }, d: 3 }, { a: { c: 20 }, d: null })).toEqual({ a: { b: 1, c: 20 } });
  });

  it('replaces lists without a merge key', () => {
    expect(strategicMerge({ args: ['a', 'b'] }, { args: ['c'] })).toEqual({ args: ['c'] });
  });

  it('merges container ports on containerPort and Service ports on port', () => {
    expect(
      strategicMerge(
        { ports: [{ containerPort: 80, name: 'a' }] },
        { ports: [{ containerPort: 80, protocol: 'TCP' }] },
      ),
    ).toEqual({
      ports: [{ containerPort: 80, name: 'a', protocol: 'TCP' }],
    });
    expect(strategicMerge({ ports: [{ port: 80 }, { port: 81 }] }, { ports: [{ port: 81, name: 'b' }] })).toEqual({
      ports: [{ port: 81, name: 'b' }, { port: 80 }],
    });
  });

  it('removes list items and whole objects marked $patch: delete', () => {
    expect(
      strategicMerge({ volumes: [{ name: 'a' }, { name: 'b' }] }, { volumes: [{ name: 'a', $patch: 'delete' }] }),
    ).toEqual({ volumes: [{ name: 'b' }] });
    expect(strategicMerge({ kind: 'X' }, { $patch: 'delete' })).toBe(DELETE);
  });

  it('replaces a map marked $patch: replace', () => {
    expect(strategicMerge({ a: { b: 1 } }, { a: { c: 2, $patch: 'replace' } })).toEqual({ a: { c: 2 } });
  });
});
