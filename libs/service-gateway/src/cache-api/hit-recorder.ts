import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { CACHE_SERVICE, type CacheService, type HitCount, MAX_HITS_PER_FLUSH } from '@strata/contracts';

/** Entries counted between flushes at most; hits on further entries wait for the next interval (dropped). */
const MAX_PENDING = MAX_HITS_PER_FLUSH;
const FLUSH_TIMEOUT_MS = 5_000;

interface PendingHits {
  readonly tenant: string;
  readonly id: string;
  count: number;
  lastHitAt: number;
}

/**
 * Entry popularity, counted where every hit is seen (L1, L2 and L3 alike) without slowing the hit: a hit is
 * one map update here; every `STRATA_POPULARITY_FLUSH_MS` the counts go to the cache service in one call, which adds them to
 * its popularity store (a Redis sorted set per tenant, or memory). A flush that fails is dropped: popularity
 * is a ranking, not an account.
 */
@Injectable()
export class HitRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(HitRecorder.name);
  /**
   * By entry id (ids are derived from keys that embed the tenant, so they do not repeat across tenants: one map
   * lookup per hit); an id met under a second tenant is counted under `<tenant>\0<id>` all the same.
   */
  private pending = new Map<string, PendingHits>();
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  private readonly intervalMs: number;

  constructor(
    @Inject(CACHE_SERVICE) private readonly cache: CacheService,
    @Inject(STRATA_CONFIG) config: Pick<StrataConfig, 'cache'>,
  ) {
    this.intervalMs = config.cache.popularityFlushMs;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** One hit on the entry `id` (the root entry: a backfilled copy's `aliasOf`) at `now` (the hit's own clock read). */
  record(tenant: string, id: string, now: number): void {
    let counter = this.pending.get(id);
    if (counter !== undefined && counter.tenant !== tenant) counter = this.pending.get(`${tenant}\u0000${id}`);
    if (counter !== undefined) {
      counter.count++;
      counter.lastHitAt = now;
    } else if (this.size < MAX_PENDING) {
      this.pending.set(this.pending.has(id) ? `${tenant}\u0000${id}` : id, { tenant, id, count: 1, lastHitAt: now });
      this.size++;
    }
  }

  /** Sends what was counted since the last flush; resolves when the cache service has it (or gave up). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.size === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = new Map();
    this.size = 0;
    const hits: HitCount[] = [...batch.values()].map(({ tenant, id, count, lastHitAt }) => ({
      tenant,
      id,
      count,
      lastHitAt,
    }));
    this.flushing = this.cache
      .recordHits({ hits }, { timeoutMs: FLUSH_TIMEOUT_MS })
      .then(
        () => undefined,
        (error: unknown) => {
          this.logger.warn(`entry popularity: ${hits.length} counts dropped (${String(error)})`);
        },
      )
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }
}
