import { WrongHitBound, wilsonUpperBound } from './wrong-hit-bound';

describe(wilsonUpperBound.name, () => {
  it('knows nothing before the first audit', () => {
    expect(wilsonUpperBound(0, 0)).toBe(1);
  });

  it('lies above the observed rate and narrows towards it as audits accumulate', () => {
    const few = wilsonUpperBound(1, 20);
    const many = wilsonUpperBound(50, 1_000);
    expect(few).toBeGreaterThan(0.05);
    expect(many).toBeGreaterThan(0.05);
    expect(many).toBeLessThan(few);
    expect(many).toBeLessThan(0.07);
  });

  it('matches the Wilson score bound (one-sided 95%) on a known case', () => {
    // 0 failures in 100 trials: z²/(n+z²) = 2.7057/102.7057.
    expect(wilsonUpperBound(0, 100)).toBeCloseTo(0.02634, 4);
  });
});

describe(WrongHitBound.name, () => {
  it('holds a target only once enough audits pass to show it with confidence', () => {
    const bound = new WrongHitBound();
    for (let i = 0; i < 20; i++) bound.record('acme', 'support', true, 0.05);
    expect(bound.holds('acme', 'support', 0.05)).toBe(false);
    for (let i = 0; i < 100; i++) bound.record('acme', 'support', true, 0.05);
    expect(bound.holds('acme', 'support', 0.05)).toBe(true);
    expect(bound.estimate('acme', 'support')).toMatchObject({ audited: 120, failed: 0, rate: 0, target: 0.05 });
  });

  it("takes the shared store's counts as they are, keeping the last target it saw", () => {
    const bound = new WrongHitBound();
    bound.record('acme', 'support', false, 0.05);
    bound.set('acme', 'support', { audited: 200, failed: 1 }, undefined);

    expect(bound.estimate('acme', 'support')).toMatchObject({ audited: 200, failed: 1, rate: 0.005, target: 0.05 });
    expect(bound.holds('acme', 'support', 0.05)).toBe(true);
    bound.set('acme', 'support', { audited: 201, failed: 2 }, 0.01);
    expect(bound.estimate('acme', 'support').target).toBe(0.01);
  });

  it('keeps namespaces apart', () => {
    const bound = new WrongHitBound();
    bound.record('acme', 'a', false, undefined);
    bound.record('acme', 'b', true, undefined);
    expect(bound.snapshot()).toEqual({
      'acme/a': expect.objectContaining({ audited: 1, failed: 1, rate: 1 }) as object,
      'acme/b': expect.objectContaining({ audited: 1, failed: 0, rate: 0 }) as object,
    });
  });

  it("keeps tenants apart: another tenant's failed audits never move a tenant's bound", () => {
    const bound = new WrongHitBound();
    for (let i = 0; i < 150; i++) bound.record('acme', 'support', true, 0.05);
    for (let i = 0; i < 50; i++) bound.record('globex', 'support', false, 0.05);
    expect(bound.holds('acme', 'support', 0.05)).toBe(true);
    expect(bound.holds('globex', 'support', 0.05)).toBe(false);
    expect(bound.estimate('acme', 'support')).toMatchObject({ audited: 150, failed: 0 });
  });
});
