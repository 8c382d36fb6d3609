import { firstMatch } from '../../openai/model-pattern';
import { type TokenUsage } from '../token-usage';

interface ModelPrice {
  /** USD per 1M input tokens. */
  readonly inputPerMillion: number;
  /** USD per 1M output tokens. */
  readonly outputPerMillion: number;
  /** USD per 1M input tokens read from the provider's prompt cache (default: the input price). */
  readonly cachedInputPerMillion?: number | undefined;
  /** USD per 1M input tokens written to the provider's prompt cache (default: the input price). */
  readonly cacheWritePerMillion?: number | undefined;
}

interface Savings {
  readonly tokens: number;
  /** Undefined when the model has no configured price. */
  readonly usd: number | undefined;
}

/** The configured prices (`pricing.models`; exact names beat `*` patterns) and what an answer costs. */
export class PriceTable {
  private readonly lookup: (model: string) => ModelPrice | undefined;

  constructor(models: Readonly<Record<string, ModelPrice>>) {
    this.lookup = firstMatch(Object.entries(models));
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.lookup(model);
  }

  /**
   * What the upstream charges for this usage: input tokens it read from its prompt cache at the
   * cached-read rate, tokens it wrote to it at the cache-write rate, the rest of the input at the input
   * rate, the output at the output rate. Undefined without a price for the model.
   */
  costUsd(model: string, usage: TokenUsage): number | undefined {
    const price = this.lookup(model);
    if (!price) return undefined;
    const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
    return (
      (uncached * price.inputPerMillion +
        usage.cacheReadTokens * (price.cachedInputPerMillion ?? price.inputPerMillion) +
        usage.cacheWriteTokens * (price.cacheWritePerMillion ?? price.inputPerMillion) +
        usage.outputTokens * price.outputPerMillion) /
      1_000_000
    );
  }

  /** The upstream tokens and money a hit did not spend: the stored answer's usage, priced as the upstream charged it. */
  savings(model: string, usage: TokenUsage): Savings {
    return { tokens: usage.inputTokens + usage.outputTokens, usd: this.costUsd(model, usage) };
  }
}
