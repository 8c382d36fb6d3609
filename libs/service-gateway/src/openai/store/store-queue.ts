export interface StoreQueueOptions {
  /** Jobs waiting at most; when full, the oldest waiting job is dropped. */
  readonly capacity: number;
  /** Jobs running at once. */
  readonly concurrency: number;
  /** Tries per job, the first included. */
  readonly maxAttempts: number;
  /** Backoff before retry n (1-based): retryBaseMs × 2^(n-1), with ±50% jitter. */
  readonly retryBaseMs: number;
}

export type StoreJobOutcome = 'stored' | 'dropped' | 'failed' | 'rejected';

export interface StoreJob {
  run(): Promise<void>;
  /** Called exactly once, with how the job ended. */
  settle(outcome: StoreJobOutcome): void;
}

interface StoreQueueHooks {
  /** Whether a failure may succeed on a later try (a timeout: yes; "not cacheable": no). */
  readonly retryable: (error: unknown) => boolean;
  readonly onOutcome?: (outcome: StoreJobOutcome | 'retried') => void;
  readonly onDepth?: (depth: number) => void;
  /** Runs `fn` after `ms` (timers in production; tests drive it by hand). */
  readonly schedule?: (fn: () => void, ms: number) => void;
  readonly random?: () => number;
}

interface Queued {
  readonly job: StoreJob;
  attempts: number;
}

/**
 * The stores that follow misses: bounded, concurrent, retried with exponential backoff, and never in
 * the way of a response. When the buffer is full the oldest waiting store is dropped (and counted): a
 * cache that falls behind loses a few entries rather than memory or latency.
 */
export class StoreQueue {
  private readonly waiting: Queued[] = [];
  private head = 0;
  private running = 0;
  private backingOff = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly schedule: (fn: () => void, ms: number) => void;
  private readonly random: () => number;

  constructor(
    private readonly options: StoreQueueOptions,
    private readonly hooks: StoreQueueHooks,
  ) {
    this.schedule =
      hooks.schedule ??
      ((fn, ms) => {
        setTimeout(fn, ms).unref();
      });
    this.random = hooks.random ?? Math.random;
  }

  /** Jobs waiting to run (retries in backoff included). */
  get depth(): number {
    return this.waiting.length - this.head + this.backingOff;
  }

  get active(): number {
    return this.running;
  }

  enqueue(job: StoreJob): void {
    this.push({ job, attempts: 0 });
    this.pump();
  }

  /** Resolves when nothing is waiting or running, or after `timeoutMs`, whichever comes first. */
  drain(timeoutMs: number): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private push(item: Queued): void {
    if (this.waiting.length - this.head >= this.options.capacity) {
      const oldest = this.waiting[this.head];
      this.head++;
      if (oldest) this.finish(oldest.job, 'dropped');
    }
    this.waiting.push(item);
    this.compact();
    this.hooks.onDepth?.(this.depth);
  }

  private compact(): void {
    if (this.head > 1_024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.head < this.waiting.length) {
      const item = this.waiting[this.head++];
      this.running++;
      this.hooks.onDepth?.(this.depth);
      void this.attempt(item);
    }
    this.compact();
    if (this.idle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private async attempt(item: Queued): Promise<void> {
    item.attempts++;
    try {
      await item.job.run();
      this.finish(item.job, 'stored');
    } catch (error) {
      if (!this.hooks.retryable(error)) this.finish(item.job, 'rejected');
      else if (item.attempts >= this.options.maxAttempts) this.finish(item.job, 'failed');
      else this.retryLater(item);
    } finally {
      this.running--;
      this.pump();
    }
  }

  private retryLater(item: Queued): void {
    this.hooks.onOutcome?.('retried');
    const base = this.options.retryBaseMs * 2 ** (item.attempts - 1);
    const delay = Math.round(base * (0.5 + this.random()));
    this.backingOff++;
    this.schedule(() => {
      this.backingOff--;
      this.push(item);
      this.pump();
    }, delay);
  }

  private finish(job: StoreJob, outcome: StoreJobOutcome): void {
    this.hooks.onOutcome?.(outcome);
    try {
      job.settle(outcome);
    } catch {
      // A settle callback must not break the queue.
    }
  }

  private idle(): boolean {
    return this.running === 0 && this.depth === 0;
  }
}
