import { PriceTable } from './price-table';

describe(PriceTable.name, () => {
  const sut = new PriceTable({ 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 }, 'claude-*': { inputPerMillion: 3, outputPerMillion: 15 } });

  it('prices prompt and completion tokens separately, per million', () => {
    const saved = sut.savings('gpt-4o-mini', { promptTokens: 1_000_000, completionTokens: 500_000 });
    expect(saved.tokens).toBe(1_500_000);
    expect(saved.usd).toBeCloseTo(0.15 + 0.3, 10);
  });

  it('finds wildcard prices', () => {
    expect(sut.savings('claude-3-haiku', { promptTokens: 100, completionTokens: 10 }).usd).toBeCloseTo((100 * 3 + 10 * 15) / 1e6, 12);
  });

  it('counts tokens but no money for a model without a price', () => {
    expect(sut.savings('llama-3', { promptTokens: 7, completionTokens: 3 })).toEqual({ tokens: 10, usd: undefined });
  });
});
