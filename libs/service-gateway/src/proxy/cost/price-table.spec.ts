import { type TokenUsage } from '../token-usage';
import { PriceTable } from './price-table';

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0): TokenUsage => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

describe(PriceTable.name, () => {
  const sut = new PriceTable({
    'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
    'claude-*': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 },
  });

  it('prices input and output tokens separately, per million', () => {
    const saved = sut.savings('gpt-4o-mini', usage(1_000_000, 500_000));
    expect(saved.tokens).toBe(1_500_000);
    expect(saved.usd).toBeCloseTo(0.15 + 0.3, 10);
  });

  it('prices prompt-cache reads and writes at their own rates, the rest of the input at the input rate', () => {
    // 10k input of which 8k read from the cache and 1k written to it: 1k uncached.
    expect(sut.costUsd('claude-sonnet-4', usage(10_000, 100, 8_000, 1_000))).toBeCloseTo(
      (1_000 * 3 + 8_000 * 0.3 + 1_000 * 3.75 + 100 * 15) / 1e6,
      12,
    );
    expect(sut.costUsd('gpt-4o-mini', usage(2_000, 0, 1_024))).toBeCloseTo((976 * 0.15 + 1_024 * 0.075) / 1e6, 12);
  });

  it('charges cached tokens at the input price when no cached rate is configured', () => {
    const plain = new PriceTable({ m: { inputPerMillion: 1, outputPerMillion: 2 } });
    expect(plain.costUsd('m', usage(1_000, 0, 600, 400))).toBeCloseTo(1_000 / 1e6, 12);
  });

  it('counts tokens but no money for a model without a price', () => {
    expect(sut.savings('llama-3', usage(7, 3))).toEqual({ tokens: 10, usd: undefined });
  });
});
