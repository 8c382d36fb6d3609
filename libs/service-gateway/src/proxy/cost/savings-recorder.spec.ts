import { loadConfig } from '@strata/config';
import { StrataMetrics } from '@strata/observability';
import { type TokenUsage } from '../token-usage';
import { SavingsRecorder } from './savings-recorder';

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0): TokenUsage => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

async function tokens(tenant: string): Promise<Record<string, number>> {
  const { values } = await StrataMetrics.shared().upstreamTokens.get();
  const out: Record<string, number> = {};
  for (const { labels, value } of values)
    if (labels.tenant === tenant) out[`${String(labels.model)}/${String(labels.kind)}`] = value;
  return out;
}

async function cost(tenant: string, model: string): Promise<number | undefined> {
  const { values } = await StrataMetrics.shared().upstreamCost.get();
  return values.find(({ labels }) => labels.tenant === tenant && labels.model === model)?.value;
}

describe(SavingsRecorder.name, () => {
  const sut = new SavingsRecorder({
    ...loadConfig({}),
    pricing: {
      models: {
        'claude-*': {
          inputPerMillion: 3,
          outputPerMillion: 15,
          cachedInputPerMillion: 0.3,
          cacheWritePerMillion: 3.75,
        },
      },
    },
  });

  it('counts the upstream tokens of every answer by model, tenant and kind, the prompt-cache reads and writes apart from the rest of the input', async () => {
    sut.recordUpstream('claude-sonnet-4', 'savings-a', usage(10_000, 100, 8_000, 1_000));
    sut.recordUpstream('claude-sonnet-4', 'savings-a', usage(500, 50));
    sut.recordUpstream('gpt-4o-mini', 'savings-a', usage(20, 5));
    sut.recordUpstream('claude-sonnet-4', 'savings-b', usage(7, 3));
    expect(await tokens('savings-a')).toEqual({
      'claude-sonnet-4/input': 1_500,
      'claude-sonnet-4/cache_read': 8_000,
      'claude-sonnet-4/cache_write': 1_000,
      'claude-sonnet-4/output': 150,
      'gpt-4o-mini/input': 20,
      'gpt-4o-mini/output': 5,
    });
    expect(await tokens('savings-b')).toEqual({ 'claude-sonnet-4/input': 7, 'claude-sonnet-4/output': 3 });
  });

  it('adds what priced models cost, and nothing for models without a price', async () => {
    sut.recordUpstream('claude-sonnet-4', 'savings-c', usage(10_000, 100, 8_000, 1_000));
    sut.recordUpstream('claude-sonnet-4', 'savings-c', usage(1_000, 0));
    sut.recordUpstream('gpt-4o-mini', 'savings-c', usage(1_000, 1_000));
    expect(await cost('savings-c', 'claude-sonnet-4')).toBeCloseTo(
      (1_000 * 3 + 8_000 * 0.3 + 1_000 * 3.75 + 100 * 15 + 1_000 * 3) / 1e6,
      12,
    );
    expect(await cost('savings-c', 'gpt-4o-mini')).toBeUndefined();
  });
});
