import { type TokenUsage } from '../sse/chat-stream';
import { firstMatch } from '../model-pattern';

export interface ModelPrice {
  /** USD per 1M prompt tokens. */
  readonly inputPerMillion: number;
  /** USD per 1M completion tokens. */
  readonly outputPerMillion: number;
}

export interface Savings {
  readonly tokens: number;
  /** Undefined when the model has no configured price. */
  readonly usd: number | undefined;
}

/** The configured prices (`pricing.models`; exact names beat `*` patterns) and what a hit saved. */
export class PriceTable {
  private readonly lookup: (model: string) => ModelPrice | undefined;

  constructor(models: Readonly<Record<string, ModelPrice>>) {
    this.lookup = firstMatch(Object.entries(models));
  }

  priceOf(model: string): ModelPrice | undefined {
    return this.lookup(model);
  }

  /** The upstream tokens and money a hit did not spend: the stored answer's usage at the model's price. */
  savings(model: string, usage: TokenUsage): Savings {
    const price = this.lookup(model);
    const tokens = usage.promptTokens + usage.completionTokens;
    if (!price) return { tokens, usd: undefined };
    return { tokens, usd: (usage.promptTokens * price.inputPerMillion + usage.completionTokens * price.outputPerMillion) / 1_000_000 };
  }
}
