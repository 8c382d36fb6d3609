import { type StrataConfig } from '@strata/config';
import { type CacheStatsReply } from '@strata/contracts';
import { PriceTable } from '../proxy/cost/price-table';

export type JudgeSpendRows = NonNullable<NonNullable<CacheStatsReply['verification']>['judgeSpend']>;

interface Spend {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** USD at the configured price of the judge's model; null when it has none (`STRATA_PRICES`). */
  usd: number | null;
}

interface JudgeCostReport extends Spend {
  /** The judge's model (`STRATA_VERIFIER_MODEL`), whose price the USD figures use. */
  readonly model: string;
  /** By namespace (for all tenants: by `tenant/namespace`). */
  readonly byNamespace: Record<string, Spend>;
}

const roundUsd = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/**
 * What the model judge cost, priced like the money hits saved (`pricing.models`, the same table and rule), for the
 * judge's configured model: calls and reported tokens from the cache service, per namespace, for one tenant or all.
 */
export class JudgeCost {
  private readonly prices: PriceTable;
  private readonly model: string;
  /** Whether a judge is configured (else there is nothing to report, and nothing to ask the cache service). */
  readonly enabled: boolean;

  constructor(config: StrataConfig) {
    this.enabled = config.verification.judge.url !== undefined;
    this.prices = new PriceTable(config.pricing.models);
    this.model = config.verification.judge.model;
  }

  /** `tenant`: only that tenant's judge calls; else everyone's. */
  report(rows: JudgeSpendRows, tenant?: string): JudgeCostReport {
    const priced = this.prices.priceOf(this.model) !== undefined;
    const usd = (s: { inputTokens: number; outputTokens: number }): number =>
      this.prices.costUsd(this.model, { ...s, cacheReadTokens: 0, cacheWriteTokens: 0 }) ?? 0;
    const total: Spend = { calls: 0, inputTokens: 0, outputTokens: 0, usd: priced ? 0 : null };
    const byNamespace: Record<string, Spend> = {};
    for (const row of rows) {
      if (tenant !== undefined && row.tenant !== tenant) continue;
      const name = tenant === undefined ? `${row.tenant}/${row.namespace}` : row.namespace;
      const slot = (byNamespace[name] ??= { calls: 0, inputTokens: 0, outputTokens: 0, usd: null });
      for (const s of [slot, total]) {
        s.calls += row.calls;
        s.inputTokens += row.inputTokens;
        s.outputTokens += row.outputTokens;
      }
    }
    for (const s of [...Object.values(byNamespace), total]) s.usd = priced ? roundUsd(usd(s)) : null;
    return { model: this.model, ...total, byNamespace };
  }
}
