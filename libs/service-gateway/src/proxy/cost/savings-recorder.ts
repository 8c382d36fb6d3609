import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { type JsonValue } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { usageOf } from '../sse/chat-stream';
import { BoundedLabels } from './bounded-labels';
import { PriceTable } from './price-table';

/** Distinct model labels on the savings metrics; later models are counted as `other`. */
const MAX_MODEL_LABELS = 200;

/** Counts what each hit saved: the stored answer's tokens, and their price (`pricing.models`). */
@Injectable()
export class SavingsRecorder {
  private readonly metrics = StrataMetrics.shared();
  private readonly prices: PriceTable;
  private readonly labels = new BoundedLabels(MAX_MODEL_LABELS);

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    this.prices = new PriceTable(config.pricing.models);
  }

  recordHit(model: string, response: JsonValue): void {
    const usage = usageOf(response);
    if (!usage) return;
    const saved = this.prices.savings(model, usage);
    const label = this.labels.label(model);
    if (saved.tokens > 0) this.metrics.tokensSaved.inc({ model: label }, saved.tokens);
    if (saved.usd !== undefined && saved.usd > 0) this.metrics.costSaved.inc({ model: label }, saved.usd);
  }
}
