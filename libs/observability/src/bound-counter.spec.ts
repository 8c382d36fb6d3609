import { Counter, Registry } from 'prom-client';
import { boundCounter } from './bound-counter';

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
