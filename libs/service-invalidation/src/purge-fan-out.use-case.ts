import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { STRATA_CONFIG, StrataConfig } from '@strata/config';
import {
  CACHE_PURGE_TOPIC,
  type CachePurgeReply,
  type InvalidationPurgeReply,
  L1_EVICT_TOPIC,
  type PurgeSelectorMessage,
} from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { CACHE_CLIENT, EVENTS_CLIENT, envelope, requestReply } from '@strata/transport';
import { firstValueFrom } from 'rxjs';
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

  constructor(
    @Inject(CACHE_CLIENT) private readonly cache: ClientProxy,
    @Inject(EVENTS_CLIENT) private readonly events: ClientProxy,
    @Inject(STRATA_CONFIG) config: StrataConfig,
  ) {
    this.timeoutMs = Math.max(PURGE_TIMEOUT_FLOOR_MS, config.kafka.requestTimeoutMs);
  }

  async execute(selector: PurgeSelectorMessage): Promise<InvalidationPurgeReply> {
    // Keyed by tenant: one tenant's purges stay in order on one partition.
    const counts = await requestReply<CachePurgeReply>(this.cache, CACHE_PURGE_TOPIC, selector, this.timeoutMs, selector.tenant);
    const evict = l1Eviction(selector, counts);
    if (evict) await firstValueFrom(this.events.emit(L1_EVICT_TOPIC, envelope(evict, selector.tenant)), { defaultValue: undefined });
    this.metrics.purged.inc({ tier: 'l3' }, counts.l3);
    this.metrics.purged.inc({ tier: 'l2' }, counts.l2);
    return counts;
  }
}
