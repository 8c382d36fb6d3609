import { ReplicaSet } from './replica-set';

const names = ['http://a:8000/v1', 'http://b:8000/v1', 'http://c:8000/v1', 'http://d:8000/v1'];
const keys = Array.from({ length: 400 }, (_, i) => `prefix-${i}`);

describe(ReplicaSet.name, () => {
  it('sends a key to the same replica every time, and spreads keys over every replica', () => {
    const sut = new ReplicaSet(names, names, 0.25);
    expect(keys.map((k) => sut.order(k)[0])).toEqual(keys.map((k) => sut.order(k)[0]));
    const counts = [0, 0, 0, 0];
    for (const k of keys) counts[sut.order(k)[0] ?? 0]++;
    for (const c of counts) expect(c).toBeGreaterThan(60);
  });

  it('moves only the keys of a removed replica (rendezvous hashing)', () => {
    const four = new ReplicaSet(names, names, 0.25);
    const three = new ReplicaSet(names.slice(0, 3), names.slice(0, 3), 0.25);
    for (const k of keys) {
      const before = four.order(k)[0];
      if (before !== 3) expect(three.order(k)[0]).toBe(before);
    }
  });

  it('passes over a replica above (1 + ε) × the mean in-flight load, and lists every replica for failover', () => {
    const sut = new ReplicaSet(names, names, 0.25);
    const key = keys[0];
    const home = sut.order(key)[0];
    const releases = [sut.acquire(home), sut.acquire(home)];
    // 2 in flight, all on its home replica: the cap for the next is ceil(1.25 × 3 / 4) = 1.
    const order = sut.order(key);
    expect(order[0]).not.toBe(home);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    for (const release of releases) release();
    expect(sut.order(key)[0]).toBe(home);
    expect(sut.load()).toEqual([0, 0, 0, 0]);
  });
});
