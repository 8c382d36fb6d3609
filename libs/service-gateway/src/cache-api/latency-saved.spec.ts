import { StrataMetrics } from '@strata/observability';
import { LatencySaved } from './latency-saved';

describe(LatencySaved.name, () => {
  const metric = async (tier: string) =>
    StrataMetrics.shared().counterValue(
      StrataMetrics.shared().registry.getSingleMetric('strata_latency_saved_seconds_total') as never,
      { tier },
    );

  it('credits nothing to a hit before any upstream call of its tenant, namespace and model was seen', () => {
    const sut = new LatencySaved();
    expect(sut.creditHit('acme', 'support', 'gpt-4o-mini', 'l2')).toBe(0);
    expect(sut.saved('acme')).toEqual({ l1: 0, l2: 0, l3: 0, total: 0 });
  });

  it('credits each hit with the moving average of recent upstream calls, per tier and per tenant', async () => {
    const sut = new LatencySaved();
    const before = await metric('l3');
    sut.recordUpstream('acme', 'support', 'gpt-4o-mini', 2);
    sut.recordUpstream('acme', 'support', 'gpt-4o-mini', 1); // 2 + 0.2 × (1 − 2)
    expect(sut.estimate('acme', 'support', 'gpt-4o-mini')).toBeCloseTo(1.8);

    expect(sut.creditHit('acme', 'support', 'gpt-4o-mini', 'l3')).toBeCloseTo(1.8);
    expect(sut.creditHit('acme', 'support', 'gpt-4o-mini', 'l1')).toBeCloseTo(1.8);

    expect(sut.saved('acme')).toEqual({ l1: 1.8, l2: 0, l3: 1.8, total: 3.6 });
    expect(sut.saved()).toEqual({ l1: 1.8, l2: 0, l3: 1.8, total: 3.6 });
    expect((await metric('l3')) - before).toBeCloseTo(1.8);
  });

  it('keeps namespaces, models and tenants apart', () => {
    const sut = new LatencySaved();
    sut.recordUpstream('acme', 'support', 'gpt-4o-mini', 3);
    expect(sut.creditHit('acme', 'sales', 'gpt-4o-mini', 'l2')).toBe(0);
    expect(sut.creditHit('acme', 'support', 'gpt-4o', 'l2')).toBe(0);
    expect(sut.creditHit('globex', 'support', 'gpt-4o-mini', 'l2')).toBe(0);
    expect(sut.creditHit('acme', 'support', 'gpt-4o-mini', 'l2')).toBe(3);
    expect(sut.saved('globex').total).toBe(0);
  });

  it('ignores impossible durations', () => {
    const sut = new LatencySaved();
    sut.recordUpstream('acme', 'support', 'm', Number.NaN);
    sut.recordUpstream('acme', 'support', 'm', -1);
    expect(sut.estimate('acme', 'support', 'm')).toBeUndefined();
  });
});
