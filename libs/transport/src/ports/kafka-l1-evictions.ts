import { L1_EVICT_TOPIC, type L1EvictEvent, type L1Evictions, type RequestContext } from '@strata/contracts';
import { type KafkaMessaging } from '../kafka/kafka-messaging';

/** {@link L1Evictions} on `strata.l1.evict.v1`, which every gateway replica consumes in a group of its own. */
export class KafkaL1Evictions implements L1Evictions {
  constructor(private readonly kafka: KafkaMessaging) {}

  /** Keyed by tenant: one tenant's evictions stay in order. */
  broadcast(event: L1EvictEvent, context?: RequestContext): Promise<void> {
    return this.kafka.emit(L1_EVICT_TOPIC, event, event.tenant, context);
  }
}
