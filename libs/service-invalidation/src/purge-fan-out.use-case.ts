import { Inject, Injectable } from '@nestjs/common';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import {
  CACHE_SERVICE,
  type CacheService,
  type InvalidationPurgeReply,
  L1_EVICTIONS,
  type L1Evictions,
  type PurgeSelectorMessage,
  type RequestContext,
} from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { CdnPurgeWebhook } from './cdn-purge-webhook';
import { l1Eviction } from './l1-eviction';

/** Purges can touch many entries: they get far more time than a lookup. */
const PURGE_TIMEOUT_FLOOR_MS = 30_000;

/**
 * Applies one purge across every tier in order: L3 and L2 (the cache service, which confirms with
 * counts), then the L1-eviction broadcast that every gateway replica applies. Resolves only when all of
 * that is done, so an event is acknowledged only after its effect.
 */
@Injectable()
export class PurgeFanOutUseCase {
  private readonly metrics = StrataMetrics.shared();
  private readonly timeoutMs: number;
  private readonly cdn: CdnPurgeWebhook;

  constructor(
    @Inject(CACHE_SERVICE) private readonly cache: CacheService,
    @Inject(L1_EVICTIONS) private readonly evictions: L1Evictions,
    @Inject(STRATA_CONFIG) config: StrataConfig,
  ) {
    this.timeoutMs = Math.max(PURGE_TIMEOUT_FLOOR_MS, config.kafka.requestTimeoutMs);
    this.cdn = new CdnPurgeWebhook(config);
  }

  /** `context`: the request the purge is for, named by the messages it sends. */
  async execute(selector: PurgeSelectorMessage, context: RequestContext = {}): Promise<InvalidationPurgeReply> {
    const counts = await this.cache.purge(selector, { timeoutMs: this.timeoutMs, requestId: context.requestId });
    const evict = l1Eviction(selector, counts);
    if (evict) await this.evictions.broadcast(evict, context);
    this.metrics.purged.inc({ tier: 'l3' }, counts.l3);
    this.metrics.purged.inc({ tier: 'l2' }, counts.l2);
    // Shared caches in front of public namespaces: told, never waited for.
    this.cdn.notify(selector, counts.semantic?.entryIds);
    return counts;
  }
}
