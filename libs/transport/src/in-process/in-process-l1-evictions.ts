import { type L1EvictEvent, type L1Evictions } from '@strata/contracts';

type Subscriber = (event: L1EvictEvent) => unknown;

/**
 * The embedded default's L1-eviction broadcast: every gateway in this process that subscribed applies each
 * eviction before `broadcast` resolves (a purge is confirmed end to end); a subscriber's failure rejects it.
 */
export class InProcessL1Evictions implements L1Evictions {
  private readonly subscribers = new Set<Subscriber>();

  /** Returns the unsubscribe function. */
  subscribe(subscriber: Subscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  async broadcast(event: L1EvictEvent): Promise<void> {
    // Each on a microtask of its own, as over a network: no subscriber runs inside the purge's stack.
    await Promise.all([...this.subscribers].map((subscriber) => Promise.resolve().then(() => subscriber(event))));
  }
}
