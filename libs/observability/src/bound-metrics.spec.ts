import { Counter, Histogram, Registry } from 'prom-client';
import { boundCounter, boundHistogram } from './bound-metrics';

describe(boundCounter.name, () => {
  const counter = (registry: Registry) =>
    new Counter({ name: 'hits_total', help: 'hits', labelNames: ['tier'] as const, registers: [registry] });

  it('counts every increment by its labels, as read by a scrape', async () => {
    const registry = new Registry();
    const hits = counter(registry);
    const l1 = boundCounter(hits, { tier: 'l1' });
    const l2 = boundCounter(hits, { tier: 'l2' });
    l1.inc();
    l1.inc(2);
    l2.inc();
    hits.inc({ tier: 'l2' }, 5);
    expect(await registry.metrics()).toContain('hits_total{tier="l1"} 3');
    expect(await registry.metrics()).toContain('hits_total{tier="l2"} 6');
  });

  it('adds what was counted since the last read, once', async () => {
    const registry = new Registry();
    const hits = counter(registry);
    const l1 = boundCounter(hits, { tier: 'l1' });
    l1.inc();
    expect((await hits.get()).values).toEqual([expect.objectContaining({ labels: { tier: 'l1' }, value: 1 })]);
    expect((await hits.get()).values).toEqual([expect.objectContaining({ labels: { tier: 'l1' }, value: 1 })]);
    l1.inc(4);
    expect((await hits.get()).values).toEqual([expect.objectContaining({ labels: { tier: 'l1' }, value: 5 })]);
  });

  it("keeps the counter's own collect", async () => {
    const registry = new Registry();
    let collected = 0;
    const hits = new Counter({
      name: 'own_total',
      help: 'own',
      labelNames: ['tier'] as const,
      registers: [registry],
      collect() {
        collected++;
      },
    });
    boundCounter(hits, { tier: 'l1' }).inc();
    await registry.metrics();
    expect(collected).toBe(1);
    expect(await registry.metrics()).toContain('own_total{tier="l1"} 1');
  });
});

describe(boundHistogram.name, () => {
  const histogram = (registry: Registry, name = 'duration_seconds') =>
    new Histogram({
      name,
      help: 'duration',
      labelNames: ['tier'] as const,
      buckets: [0.001, 0.01, 0.1, 1],
      registers: [registry],
    });
  // On a bound, between bounds, above every bound, and zero.
  const values = [0.001, 0.0005, 0.05, 0.01, 2, 0, 0.1, 7.5, 0.00099];

  it("scrapes exactly what prom-client's own child gives for the same observations", async () => {
    const registry = new Registry();
    const bound = histogram(registry, 'bound_seconds');
    const plain = histogram(registry, 'plain_seconds');
    const l1 = boundHistogram(bound, { tier: 'l1' });
    const total = boundHistogram(bound, { tier: 'total' });
    for (const value of values) {
      l1.observe(value);
      plain.observe({ tier: 'l1' }, value);
    }
    total.observe(0.02);
    plain.observe({ tier: 'total' }, 0.02);
    // Direct observations on the same label set add up with the bound child's.
    bound.observe({ tier: 'l1' }, 0.3);
    plain.observe({ tier: 'l1' }, 0.3);
    const text = await registry.metrics();
    const lines = (name: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(name))
        .map((line) => line.slice(name.length))
        .sort();
    expect(lines('bound_seconds')).toEqual(lines('plain_seconds'));
    expect(text).toContain('bound_seconds_count{tier="l1"} 10');
    expect(text).toContain('bound_seconds_bucket{le="0.001",tier="l1"} 4');
    expect(text).toContain('bound_seconds_bucket{le="+Inf",tier="l1"} 10');
  });

  it('adds what was observed since the last read, once', async () => {
    const registry = new Registry();
    const durations = histogram(registry);
    const l1 = boundHistogram(durations, { tier: 'l1' });
    l1.observe(0.05);
    const count = async () => (await durations.get()).values.find((v) => v.metricName === 'duration_seconds_count');
    expect(await count()).toEqual(expect.objectContaining({ value: 1 }));
    expect(await count()).toEqual(expect.objectContaining({ value: 1 }));
    l1.observe(0.5);
    l1.observe(5);
    expect(await count()).toEqual(expect.objectContaining({ value: 3 }));
    const sum = (await durations.get()).values.find((v) => v.metricName === 'duration_seconds_sum');
    expect(sum?.value).toBeCloseTo(5.55, 10);
  });

  it('refuses a value that is not a number, as prom-client does', () => {
    const l1 = boundHistogram(histogram(new Registry()), { tier: 'l1' });
    expect(() => l1.observe(Number.NaN)).toThrow(TypeError);
  });
});
