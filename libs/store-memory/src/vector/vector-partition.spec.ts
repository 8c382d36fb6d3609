import { TopK } from './top-k';
import { VectorPartition } from './vector-partition';

interface Member {
  readonly name: string;
  position: number;
}

const member = (name: string): Member => ({ name, position: -1 });

function scanAll(partition: VectorPartition<Member>, query: number[], now = 0): { names: string[]; expired: number[] } {
  const top = new TopK();
  top.reset(partition.size || 1);
  const expired: number[] = [];
  partition.scan(Float32Array.from(query), now, -1, top, expired);
  const names = Array.from({ length: top.count }, (_, rank) => partition.memberAt(top.positionAt(rank)).name);
  return { names, expired };
}

describe(VectorPartition.name, () => {
  it('stores vectors scaled, and scores them by dot product with the query', () => {
    const partition = new VectorPartition<Member>(2);
    partition.append([3, 4], 1 / 5, 100, member('a'));
    const top = new TopK();
    top.reset(1);

    partition.scan(Float32Array.from([0, 1]), 0, -1, top, []);

    expect(top.scoreAt(0)).toBeCloseTo(0.8, 6);
  });

  it('fills the hole of a removed row with the last row and tells the moved member its new position', () => {
    const partition = new VectorPartition<Member>(2);
    const [a, b, c] = [member('a'), member('b'), member('c')];
    partition.append([1, 0], 1, 100, a);
    partition.append([0, 1], 1, 100, b);
    partition.append([-1, 0], 1, 200, c);

    partition.removeAt(a.position);

    expect(partition.size).toBe(2);
    expect(c.position).toBe(0);
    expect(partition.memberAt(0)).toBe(c);
    expect(partition.expiresAt(0)).toBe(200);
    expect(scanAll(partition, [-1, 0]).names).toEqual(['c', 'b']);
  });

  it('grows by doubling and shrinks when mostly empty, keeping every row intact', () => {
    const oneHot = (i: number): number[] => Array.from({ length: 100 }, (_, d) => (d === i ? 1 : 0));
    const partition = new VectorPartition<Member>(100);
    const members = Array.from({ length: 100 }, (_, i) => member(`m${i}`));
    members.forEach((m, i) => partition.append(oneHot(i), 1, 100, m));
    expect(partition.capacity).toBe(128);

    for (const m of members.slice(0, 90)) partition.removeAt(m.position);

    expect(partition.size).toBe(10);
    expect(partition.capacity).toBeLessThan(128);
    for (const [i, m] of members.entries()) {
      const top = new TopK();
      top.reset(1);
      partition.scan(Float32Array.from(oneHot(i)), 0, 0.5, top, []);
      expect(top.count === 1 ? partition.memberAt(top.positionAt(0)) : undefined).toBe(i < 90 ? undefined : m);
    }
  });

  it('skips expired rows in a scan and reports their positions', () => {
    const partition = new VectorPartition<Member>(1);
    partition.append([1], 1, 10, member('expired'));
    partition.append([1], 1, 11, member('live'));

    expect(scanAll(partition, [1], 10)).toEqual({ names: ['live'], expired: [0] });
    expect(partition.countLive(10)).toBe(1);
  });

  it('handles dimensions that are not a multiple of the unroll width', () => {
    const partition = new VectorPartition<Member>(7);
    partition.append([1, 2, 3, 4, 5, 6, 7], 1, 100, member('a'));
    const top = new TopK();
    top.reset(1);

    partition.scan(Float32Array.from([1, 1, 1, 1, 1, 1, 1]), 0, -1, top, []);

    expect(top.scoreAt(0)).toBe(28);
  });
});

describe(TopK.name, () => {
  it('keeps the best scores in descending order, earlier positions first on ties', () => {
    const top = new TopK();
    top.reset(3);
    [0.5, 0.9, 0.1, 0.9, 0.7].forEach((score, position) => top.offer(score, position));

    const ranked = Array.from({ length: top.count }, (_, r) => [top.scoreAt(r), top.positionAt(r)]);

    expect(ranked).toEqual([
      [0.9, 1],
      [0.9, 3],
      [0.7, 4],
    ]);
  });

  it('starts empty again after reset and grows for larger limits', () => {
    const top = new TopK();
    top.reset(2);
    top.offer(1, 0);
    top.reset(40);
    for (let i = 0; i < 50; i++) top.offer(i, i);

    expect(top.count).toBe(40);
    expect(top.scoreAt(0)).toBe(49);
    expect(top.scoreAt(39)).toBe(10);
  });
});
