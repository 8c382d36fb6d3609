import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import { ErrorCode, StrataError } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
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

/** The gateway's queue of stores after misses (`upstream.storeQueue`), with its metrics; drained on shutdown. */
@Injectable()
export class ProxyStoreQueue implements BeforeApplicationShutdown {
  private readonly queue: StoreQueue;

  constructor(@Inject(STRATA_CONFIG) config: StrataConfig) {
    const metrics = StrataMetrics.shared();
    this.queue = new StoreQueue(config.upstream.storeQueue, {
      retryable: (error) => !(error instanceof StrataError && PERMANENT.has(error.code)),
      onOutcome: (outcome) => metrics.proxyStores.inc({ outcome }),
      onDepth: (depth) => metrics.proxyStoreQueueDepth.set(depth),
    });
  }

  enqueue(job: StoreJob): void {
    this.queue.enqueue(job);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.queue.drain(DRAIN_TIMEOUT_MS);
  }
}
