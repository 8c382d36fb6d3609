import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { StrataMetrics, boundCounter } from '@strata/observability';
import { type TokenUsage } from '../token-usage';
import { BoundedLabels } from './bounded-labels';
import { PriceTable } from './price-table';

/** Distinct model (and tenant) labels on the token metrics; later ones are counted as `other`. */
const MAX_LABELS = 200;

interface Increment {
  inc(value: number): void;
}

/** The children of the saved token and cost metrics for one model and tenant (hits: bound, see `boundCounter`). */
interface SavedCounters {
  readonly tokens: Increment;
  readonly cost: Increment;
}

/** The children of the upstream token and cost metrics for one model and tenant (bound, see `boundCounter`). */
interface UpstreamCounters {
  readonly input: Increment;
  readonly cacheRead: Increment;
  readonly cacheWrite: Increment;
  readonly output: Increment;
  readonly cost: Increment;
}

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
  /** By model and tenant label (at most MAX_LABELS² pairs, both bounded). */
  private readonly upstream = new Map<string, UpstreamCounters>();
  private readonly saved = new Map<string, SavedCounters>();

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    this.prices = new PriceTable(config.pricing.models);
  }

  /** A hit answered instead of the upstream. */
  recordHit(model: string, tenant: string, usage: TokenUsage | undefined): void {
    if (!usage) return;
    const saved = this.prices.savings(model, usage);
    const counters = this.counters(this.saved, model, tenant, (labels) => ({
      tokens: boundCounter(this.metrics.tokensSaved, labels),
      cost: boundCounter(this.metrics.costSaved, labels),
    }));
    if (saved.tokens > 0) counters.tokens.inc(saved.tokens);
    if (saved.usd !== undefined && saved.usd > 0) counters.cost.inc(saved.usd);
  }

  /** The upstream computed an answer (a miss or a pass-through) and reported this usage. */
  recordUpstream(model: string, tenant: string, usage: TokenUsage): void {
    const counters = this.counters(this.upstream, model, tenant, ({ model, tenant }) => {
      const tokens = this.metrics.upstreamTokens;
      return {
        input: boundCounter(tokens, { model, tenant, kind: 'input' }),
        cacheRead: boundCounter(tokens, { model, tenant, kind: 'cache_read' }),
        cacheWrite: boundCounter(tokens, { model, tenant, kind: 'cache_write' }),
        output: boundCounter(tokens, { model, tenant, kind: 'output' }),
        cost: boundCounter(this.metrics.upstreamCost, { model, tenant }),
      };
    });
    const uncached = Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens);
    if (uncached > 0) counters.input.inc(uncached);
    if (usage.cacheReadTokens > 0) counters.cacheRead.inc(usage.cacheReadTokens);
    if (usage.cacheWriteTokens > 0) counters.cacheWrite.inc(usage.cacheWriteTokens);
    if (usage.outputTokens > 0) counters.output.inc(usage.outputTokens);
    const usd = this.prices.costUsd(model, usage);
    if (usd !== undefined && usd > 0) counters.cost.inc(usd);
  }

  /** A metric's children for a (bounded) model and tenant label, bound on first use: no label hashing per answer. */
  private counters<T>(
    byPair: Map<string, T>,
    model: string,
    tenant: string,
    create: (labels: { model: string; tenant: string }) => T,
  ): T {
    const labels = { model: this.models.label(model), tenant: this.tenants.label(tenant) };
    const key = `${labels.model}\u0000${labels.tenant}`;
    let counters = byPair.get(key);
    if (counters === undefined) {
      counters = create(labels);
      byPair.set(key, counters);
    }
    return counters;
  }
}
