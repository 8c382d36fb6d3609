import { sentenceGroups } from './datasets';
import { countReplay, type Lookup } from './replay';

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

describe(countReplay.name, () => {
  const lookup = (label: 0 | 1, own: number, same: number[]): Lookup => ({
    pair: { dataset: 't', row: 0, split: 'held-out', textA: 'a', textB: 'b', label },
    own,
    same: new Set(same),
    candidates: [],
  });

  it('counts a hit on a known paraphrase as right, any other hit as wrong, and wrong hits on label-0 lookups', () => {
    const lookups = [lookup(1, 0, [0]), lookup(1, 1, [1, 5]), lookup(0, 2, []), lookup(0, 3, []), lookup(1, 4, [4])];
    const served = new Map<Lookup, number | undefined>([
      [lookups[0], 0],
      [lookups[1], 5],
      [lookups[2], 2],
      [lookups[3], undefined],
      [lookups[4], 9],
    ]);
    expect(countReplay(lookups, (l) => served.get(l))).toEqual({
      correct: 2,
      wrong: 2,
      miss: 1,
      wrongOnNegatives: 1,
      negatives: 2,
      precision: 0.5,
    });
  });
});
