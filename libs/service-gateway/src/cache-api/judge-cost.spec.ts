import { loadConfig } from '@strata/config';
import { JudgeCost } from './judge-cost';

const rows = [
  { tenant: 'acme', namespace: 'default', calls: 3, inputTokens: 300_000, outputTokens: 10_000 },
  { tenant: 'acme', namespace: 'docs', calls: 1, inputTokens: 100_000, outputTokens: 0 },
  { tenant: 'globex', namespace: 'default', calls: 2, inputTokens: 200_000, outputTokens: 20_000 },
];

function sut(prices: string | undefined) {
  return new JudgeCost(
    loadConfig(
      { STRATA_VERIFIER_URL: 'http://127.0.0.1:9/v1', STRATA_VERIFIER_MODEL: 'gpt-4o-mini-2024-07-18' },
      { log: { level: 'silent' }, ...(prices === undefined ? {} : { pricing: { models: pricesOf(prices) } }) },
    ),
  );
}

function pricesOf(spec: string) {
  const [model = '', input = '0', output = '0'] = spec.split(/[=:]/);
  return { [model]: { inputPerMillion: Number(input), outputPerMillion: Number(output) } };
}

describe(JudgeCost.name, () => {
  it("prices a tenant's judge calls at the judge model's configured price (patterns too), per namespace", () => {
    const report = sut('gpt-4o-mini*=0.15:0.6').report(rows, 'acme');

    expect(report).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      calls: 4,
      inputTokens: 400_000,
      outputTokens: 10_000,
      usd: 0.066,
      byNamespace: {
        default: { calls: 3, inputTokens: 300_000, outputTokens: 10_000, usd: 0.051 },
        docs: { calls: 1, inputTokens: 100_000, outputTokens: 0, usd: 0.015 },
      },
    });
  });

  it("shows an operator every tenant's, by tenant and namespace", () => {
    const report = sut('gpt-4o-mini*=0.15:0.6').report(rows);

    expect(report.calls).toBe(6);
    expect(Object.keys(report.byNamespace)).toEqual(['acme/default', 'acme/docs', 'globex/default']);
    expect(report.byNamespace['globex/default']?.usd).toBeCloseTo(0.042, 6);
  });

  it('counts calls and tokens but no money when the judge model has no price', () => {
    const report = sut(undefined).report(rows, 'globex');

    expect(report).toMatchObject({ calls: 2, inputTokens: 200_000, outputTokens: 20_000, usd: null });
    expect(report.byNamespace['default']?.usd).toBeNull();
  });
});
