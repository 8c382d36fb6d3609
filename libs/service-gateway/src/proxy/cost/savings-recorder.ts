import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { StrataMetrics } from '@strata/observability';
import { type TokenUsage } from '../token-usage';
import { BoundedLabels } from './bounded-labels';
import { PriceTable } from './price-table';

/** Distinct model (and tenant) labels on the token metrics; later ones are counted as `other`. */
const MAX_LABELS = 200;

/**
 * Token accounting of the proxies: what each hit saved (the stored answer's usage, priced as the
 * upstream charged it) and what each upstream answer used and cost, prompt-cache reads and writes
 * included, by model and tenant.
 */
@Injectable()
export class SavingsRecorder {
  private readonly metrics = StrataMetrics.shared();
  private readonly prices: PriceTable;
  private readonly models = new BoundedLabels(MAX_LABELS);
  private readonly tenants = new BoundedLabels(MAX_LABELS);

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    this.prices = new PriceTable(config.pricing.models);
  }

  /** A hit answered instead of the upstream. */
  recordHit(model: string, tenant: string, usage: TokenUsage | undefined): void {
    if (!usage) return;
    const saved = this.prices.savings(model, usage);
    const labels = { model: this.models.label(model), tenant: this.tenants.label(tenant) };
    if (saved.tokens > 0) this.metrics.tokensSaved.inc(labels, saved.tokens);
    if (saved.usd !== undefined && saved.usd > 0) this.metrics.costSaved.inc(labels, saved.usd);
  }

  /** The upstream computed an answer (a miss or a pass-through) and reported this usage. */
  recordUpstream(model: string, tenant: string, usage: TokenUsage): void {
    const labels = { model: this.models.label(model), tenant: this.tenants.label(tenant) };
    const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
    const counts = {
      input: uncached,
      cache_read: usage.cacheReadTokens,
      cache_write: usage.cacheWriteTokens,
      output: usage.outputTokens,
    };
    for (const [kind, value] of Object.entries(counts))
      if (value > 0) this.metrics.upstreamTokens.inc({ ...labels, kind }, value);
    const usd = this.prices.costUsd(model, usage);
    if (usd !== undefined && usd > 0) this.metrics.upstreamCost.inc(labels, usd);
  }
}
