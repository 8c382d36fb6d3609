import { countReplay, type Lookup } from './replay';

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
