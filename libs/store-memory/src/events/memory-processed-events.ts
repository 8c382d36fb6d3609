import { type ProcessedEvents } from '@strata/invalidation';
import { LRUCache } from 'lru-cache';

/** Applied event ids of the embedded default (bounded: the most recent 100 000). */
export class MemoryProcessedEvents implements ProcessedEvents {
  private readonly seen = new LRUCache<string, true>({ max: 100_000 });

  has(tenant: string, eventId: string): Promise<boolean> {
    return Promise.resolve(this.seen.has(`${tenant}\u0000${eventId}`));
  }

  add(tenant: string, eventId: string): Promise<void> {
    this.seen.set(`${tenant}\u0000${eventId}`, true);
    return Promise.resolve();
  }
}
