import { type z } from 'zod';
import { purgeSelectorSchema } from '../cache-purge';

/** invalidation → every gateway replica, event (broadcast: each replica consumes in its own group). */
export const L1_EVICT_TOPIC = 'strata.l1.evict.v1';

export const l1EvictEventSchema = purgeSelectorSchema;
export type L1EvictEvent = z.infer<typeof l1EvictEventSchema>;
