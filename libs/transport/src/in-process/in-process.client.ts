import { ClientProxy, type MsPattern, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { StrataError } from '@strata/contracts';
import { type InProcessBus } from './in-process-bus';

/**
 * Like NestJS' Kafka serializer: a payload object with a `key` or `value` member is a Kafka message
 * (`{key, value, headers}`) whose `value` is the payload. Contracts never use those two names at the top.
 */
function unwrapKafkaEnvelope(data: unknown): unknown {
  if (data !== null && typeof data === 'object' && ('key' in data || 'value' in data)) return (data as { value?: unknown }).value;
  return data;
}

/** The client side of the in-process transport: `send()` and `emit()` as with ClientKafka. */
export class InProcessClient extends ClientProxy {
  constructor(private readonly bus: InProcessBus) {
    super();
  }

  connect(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    // Nothing to release: the bus lives as long as the process.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern as MsPattern);
    this.bus.request(pattern, unwrapKafkaEnvelope(packet.data)).then(
      (response) => callback({ response, isDisposed: true }),
      (err: unknown) => callback({ err, isDisposed: true }),
    );
    return () => undefined;
  }

  /** Resolves once every subscriber applied the event; a subscriber's failure rejects as its `StrataError`. */
  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    try {
      const pattern = this.normalizePattern(packet.pattern as MsPattern);
      return (await this.bus.emit(pattern, unwrapKafkaEnvelope(packet.data))) as T;
    } catch (error) {
      throw StrataError.fromPayload(error) ?? error;
    }
  }
}
