import { TokenBucketLimiter, configuredLimits } from './token-bucket-limiter';

function setup(
  limits = configuredLimits({ requestsPerSecond: 2, burst: 3, tenants: { vip: { requestsPerSecond: 100 } } }),
) {
  let now = 0;
  const sut = new TokenBucketLimiter(limits, () => now);
  return { sut, advance: (ms: number) => (now += ms) };
}

describe(TokenBucketLimiter.name, () => {
  it('allows a burst, then refuses with the seconds until a token is back', () => {
    const { sut } = setup();
    expect([sut.take('a'), sut.take('a'), sut.take('a')].every((d) => d.allowed)).toBe(true);
    expect(sut.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at the configured rate, never above the burst', () => {
    const { sut, advance } = setup();
    for (let i = 0; i < 3; i++) sut.take('a');
    advance(500); // 2/s → one token
    expect(sut.take('a').allowed).toBe(true);
    expect(sut.take('a').allowed).toBe(false);
    advance(60_000);
    expect([sut.take('a'), sut.take('a'), sut.take('a')].every((d) => d.allowed)).toBe(true);
    expect(sut.take('a').allowed).toBe(false);
  });

  it('keeps one bucket per tenant', () => {
    const { sut } = setup();
    for (let i = 0; i < 3; i++) sut.take('a');
    expect(sut.take('a').allowed).toBe(false);
    expect(sut.take('b').allowed).toBe(true);
  });

  it('applies per-tenant overrides, their burst defaulting to the rate', () => {
    const { sut } = setup();
    let allowed = 0;
    for (let i = 0; i < 150; i++) if (sut.take('vip').allowed) allowed++;
    expect(allowed).toBe(100);
  });

  it('rounds a slow refill up to whole seconds', () => {
    const { sut } = setup(configuredLimits({ requestsPerSecond: 0.1, burst: 1, tenants: {} }));
    sut.take('a');
    expect(sut.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('lets everything through when no limit is configured', () => {
    const { sut } = setup(configuredLimits({ tenants: {} }));
    for (let i = 0; i < 1_000; i++) expect(sut.take('a').allowed).toBe(true);
  });
});

describe(`${TokenBucketLimiter.name} peek and bounds`, () => {
  it('peek answers like take without taking a token', () => {
    let now = 0;
    const sut = new TokenBucketLimiter(
      () => ({ requestsPerSecond: 1, burst: 1 }),
      () => now,
    );
    expect(sut.peek('ip')).toEqual({ allowed: true });
    expect(sut.take('ip')).toEqual({ allowed: true });
    expect(sut.peek('ip')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(sut.peek('ip')).toEqual({ allowed: true });
    expect(sut.peek('ip')).toEqual({ allowed: true });
  });

  it('keeps at most maxKeys buckets', () => {
    const sut = new TokenBucketLimiter(
      () => ({ requestsPerSecond: 0.001, burst: 1 }),
      () => 0,
      2,
    );
    sut.take('a');
    sut.take('b');
    sut.take('c');
    // 'a' was forgotten: its bucket starts full again.
    expect(sut.take('a').allowed).toBe(true);
    expect(sut.take('c').allowed).toBe(false);
  });
});
