import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EXACT_STORE, type ExactStore, VECTOR_INDEX, type VectorIndex } from '@strata/cache-core';
import { HealthChecks, StrataMetrics } from '@strata/observability';

/** Counting a store can scan it: every scrape and stats call within 30 s shares one count. */
const COUNT_EVERY_MS = 30_000;

function recentValue(count: () => Promise<number>): () => Promise<number> {
  let last: { at: number; value: Promise<number> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > COUNT_EVERY_MS) {
      const value = count();
      last = { at: now, value };
      value.catch(() => (last = undefined));
    }
    return last.value;
  };
}

/**
 * Reports L2 and L3 in readiness (a tier that is down degrades the service: lookups skip it) and their
 * entry counts in metrics.
 */
@Injectable()
export class CacheTierHealth implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(EXACT_STORE) private readonly l2: ExactStore,
    @Inject(VECTOR_INDEX) private readonly l3: VectorIndex,
  ) {}

  onModuleInit(): void {
    const health = HealthChecks.shared();
    health.register('l2', () => this.l2.ping(), { critical: false });
    health.register('l3', () => this.l3.ping(), { critical: false });
    const metrics = StrataMetrics.shared();
    metrics.countEntries(
      'l2',
      recentValue(() => this.l2.count()),
    );
    metrics.countEntries(
      'l3',
      recentValue(() => this.l3.count()),
    );
  }

  onModuleDestroy(): void {
    HealthChecks.shared().unregister('l2');
    HealthChecks.shared().unregister('l3');
  }
}
