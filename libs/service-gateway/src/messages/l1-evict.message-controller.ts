import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { L1_EVICT_TOPIC, l1EvictEventSchema } from '@strata/contracts';
import { GatewayCache } from '../cache-api/gateway-cache';

/** Every gateway replica applies every L1 eviction broadcast (each consumes the topic in its own group). */
@Controller()
export class L1EvictMessageController {
  private readonly logger = new Logger('L1Evict');

  constructor(private readonly cache: GatewayCache) {}

  @EventPattern(L1_EVICT_TOPIC)
  evict(@Payload() data: unknown): void {
    const parsed = l1EvictEventSchema.safeParse(data);
    if (!parsed.success) {
      this.logger.warn(`ignored malformed ${L1_EVICT_TOPIC} event: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    this.cache.evictL1(parsed.data);
  }
}
