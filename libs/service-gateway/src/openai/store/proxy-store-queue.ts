import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';
import { type BoundCounter, StrataMetrics, boundCounter } from '@strata/observability';
import { type StoreJob, StoreQueue } from './store-queue';

/** Errors a retry cannot fix. */
const PERMANENT = new Set<ErrorCode>([
  ErrorCode.NotCacheable,
  ErrorCode.StaleEntry,
  ErrorCode.InvalidRequest,
  ErrorCode.InvalidMessage,
  ErrorCode.PayloadTooLarge,
]);

/** How long shutdown waits for queued stores. */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * The gateway's queue of stores after misses (`upstream.storeQueue`), with its metrics; drained on shutdown.
 * A store starts in the event loop's next turn (`setImmediate`), not in the microtasks of the answer that queued
 * it: the reply to the miss, written at the end of those microtasks, goes out before any of the store's work.
 */
@Injectable()
export class ProxyStoreQueue implements BeforeApplicationShutdown {
  private readonly queue: StoreQueue;
  /** Stores handed over but not yet in the queue (waiting for the next turn). */
  private deferred = 0;

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    const metrics = StrataMetrics.shared();
    // `strata_proxy_store_queue_total` by outcome, bound on first use (`boundCounter`).
    const outcomes = new Map<string, BoundCounter>();
    this.queue = new StoreQueue(config.upstream.storeQueue, {
      retryable: (error) => !(error instanceof StrataError && PERMANENT.has(error.code)),
      onOutcome: (outcome) => {
        let counter = outcomes.get(outcome);
        if (counter === undefined) outcomes.set(outcome, (counter = boundCounter(metrics.proxyStores, { outcome })));
        counter.inc();
      },
      onDepth: (depth) => metrics.proxyStoreQueueDepth.set(depth),
    });
  }

  enqueue(job: StoreJob): void {
    this.deferred++;
    setImmediate(() => {
      this.deferred--;
      this.queue.enqueue(job);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Immediates run in order: one more turn and every deferred store is in the queue.
    if (this.deferred > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.queue.drain(DRAIN_TIMEOUT_MS);
  }
}
