import { Registry } from 'prom-client';
import { VerificationMetrics } from './verification-metrics';

async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  const { values } = (await metric?.get()) ?? { values: [] };
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe(VerificationMetrics.name, () => {
  it("counts the judge's cost in USD at its model's price, per tenant and namespace, beside its tokens", async () => {
    const registry = new Registry();
    const metrics = new VerificationMetrics(registry, { inputPerMillion: 0.15, outputPerMillion: 0.6 });

    metrics.judgeUsage('acme', 'docs', { inputTokens: 200_000, outputTokens: 10_000 });
    metrics.judgeUsage('acme', 'docs', { inputTokens: 100_000, outputTokens: 0 });

    // 300k input at $0.15/M + 10k output at $0.60/M
    expect(await value(registry, 'strata_judge_cost_usd_total', { tenant: 'acme', namespace: 'docs' })).toBeCloseTo(
      0.051,
      9,
    );
    expect(
      await value(registry, 'strata_judge_tokens_total', { tenant: 'acme', namespace: 'docs', kind: 'input' }),
    ).toBe(300_000);
  });

  it("counts no USD when the judge's model has no configured price (its tokens still count)", async () => {
    const registry = new Registry();
    const metrics = new VerificationMetrics(registry);

    metrics.judgeUsage('acme', 'docs', { inputTokens: 1_000, outputTokens: 10 });

    expect(await value(registry, 'strata_judge_cost_usd_total', { tenant: 'acme' })).toBeUndefined();
    expect(
      await value(registry, 'strata_judge_tokens_total', { tenant: 'acme', namespace: 'docs', kind: 'output' }),
    ).toBe(10);
  });
});
