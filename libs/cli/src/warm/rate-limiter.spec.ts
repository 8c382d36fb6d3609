import { RateLimiter, parseRate } from './rate-limiter';

describe(parseRate.name, () => {
  it.each([
    ['10/s', 10],
    ['10', 10],
    ['600/m', 10],
    ['600/min', 10],
    ['3600/h', 1],
    ['0.5/s', 0.5],
  ])('reads %s as %d per second', (raw, perSecond) => {
    expect(parseRate(raw)).toBeCloseTo(perSecond);
  });

  it.each(['', '0/s', '-1/s', '10/d', 'ten', '10/s/s'])('refuses %j', (raw) => {
    expect(() => parseRate(raw)).toThrow('expected a rate');
  });
});

describe(RateLimiter.name, () => {
  it('spaces starts evenly: the first at once, then one interval apart', async () => {
    let now = 1_000;
    const waits: number[] = [];
    const sut = new RateLimiter(
      4,
      () => now,
      (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    );
    for (let i = 0; i < 4; i++) await sut.take();
    expect(waits).toEqual([250, 250, 250]);
    now += 10_000;
    await sut.take();
    expect(waits).toHaveLength(3);
  });
});
