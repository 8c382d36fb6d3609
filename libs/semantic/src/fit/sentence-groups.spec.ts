import { sentenceGroups } from './sentence-groups';

describe(sentenceGroups.name, () => {
  it('puts pairs that share a sentence, directly or through other pairs, in one group', () => {
    const groups = sentenceGroups([
      ['a', 'b'],
      ['b', 'c'],
      ['C ', 'd'],
      ['x', 'y'],
      ['y', 'z'],
      ['p', 'q'],
    ]);
    expect(new Set(groups.slice(0, 3)).size).toBe(1);
    expect(groups[3]).toBe(groups[4]);
    expect(groups[3]).not.toBe(groups[0]);
    expect(groups[5]).not.toBe(groups[0]);
  });

  it('never lets a sentence appear on both sides of the split', () => {
    const pairs: [string, string][] = Array.from({ length: 400 }, (_, i) => [`s${i % 150}`, `s${(i * 7) % 290}`]);
    const groups = sentenceGroups(pairs);
    const side = new Map<string, number>();
    pairs.forEach(([a, b], i) => {
      for (const s of [a, b]) {
        expect(side.get(s) ?? groups[i] % 2).toBe(groups[i] % 2);
        side.set(s, groups[i] % 2);
      }
    });
  });
});
