import { type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ErrorCode, StrataError } from '@strata/contracts';
import { HealthChecks, StrataMetrics } from '@strata/observability';

/** The readiness check that reports a lasting outage. */
export const DATA_CHANGES_CHECK = 'data-changes';

/**
 * How long data-change events may keep failing with `cache_unavailable` before readiness reports it. Short
 * blips (a Redis failover, a cache rollout) stay below it; anything longer is an outage someone must see.
 */
export const DEGRADED_AFTER_MS = 60_000;

/**
 * Watches for a lasting `cache_unavailable`: an event that cannot be applied because Redis or the cache
 * service is unreachable is retried for as long as that lasts (never dead-lettered), so its partition
 * waits. This makes that wait visible instead of silent: `strata_invalidation_unavailable_seconds` counts
 * up from the first failure, and after {@link DEGRADED_AFTER_MS} readiness reports `degraded` with the
 * last error. Degraded, not unready: an unready pod would drop out of its Service's endpoints, so
 * Prometheus (which finds the pods through them) would stop seeing the very metric that says why.
 * The first applied event clears it.
 */
export class DataChangeOutage implements OnModuleInit, OnModuleDestroy {
  private since: number | undefined;
  private lastError = '';

  constructor(
    private readonly now: () => number = Date.now,
    private readonly degradedAfterMs: number = DEGRADED_AFTER_MS,
  ) {}

  /** An attempt to apply an event failed; only an unavailable dependency counts. */
  failed(error: unknown): void {
    if (!(error instanceof StrataError) || error.code !== ErrorCode.CacheUnavailable) return;
    this.since ??= this.now();
    this.lastError = error.message;
  }

  /** An event was applied (or recognised as applied): the dependencies answer again. */
  applied(): void {
    this.since = undefined;
    this.lastError = '';
  }

  /** Seconds since events started failing with `cache_unavailable`; 0 while they apply. */
  seconds(): number {
    return this.since === undefined ? 0 : (this.now() - this.since) / 1000;
  }

  /** Readiness: throws once the outage has lasted {@link DEGRADED_AFTER_MS}. */
  check(): Promise<void> {
    if (this.since !== undefined && this.now() - this.since >= this.degradedAfterMs) {
      return Promise.reject(
        new Error(
          `data-change events have failed with cache_unavailable for ${Math.round(this.seconds())} s and wait on their partition: ${this.lastError}`,
        ),
      );
    }
    return Promise.resolve();
  }

  onModuleInit(): void {
    HealthChecks.shared().register(DATA_CHANGES_CHECK, () => this.check(), { critical: false });
    StrataMetrics.shared().reportDataChangeOutage(() => this.seconds());
  }

  onModuleDestroy(): void {
    HealthChecks.shared().unregister(DATA_CHANGES_CHECK);
  }
}
