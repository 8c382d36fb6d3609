import { type L1EvictEvent } from '../messages/l1-evict';
import { type RequestContext } from './call-options';

export const L1_EVICTIONS = Symbol('L1Evictions');

/** The broadcast that makes every gateway replica evict a purge's entries from its L1. */
export interface L1Evictions {
  /** Resolves once the eviction is published (embedded: once every gateway in the process applied it). */
  broadcast(event: L1EvictEvent, context?: RequestContext): Promise<void>;
}
