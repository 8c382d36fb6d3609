import { type ClientProxy } from '@nestjs/microservices';
import { ErrorCode, StrataError } from '@strata/contracts';
import { TimeoutError, firstValueFrom, timeout } from 'rxjs';
import { envelope } from '../message-envelope';

/** What the Kafka adapters of the service ports need of a Kafka client. */
export interface KafkaMessaging {
  /**
   * Sends a request (with the current correlation id, and `key` as its partition key when given) and resolves
   * with its reply, not yet validated. Errors are `StrataError`s: the peer's own error when it sent one,
   * `cache_unavailable` when no reply came within `timeoutMs` or the transport failed.
   */
  request(topic: string, data: unknown, timeoutMs: number, key?: string): Promise<unknown>;
  /** Publishes an event; resolves once the broker has it. */
  emit(topic: string, data: unknown, key?: string): Promise<void>;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

/** {@link KafkaMessaging} over a NestJS `ClientKafka`. */
export class ClientProxyMessaging implements KafkaMessaging {
  constructor(private readonly client: ClientProxy) {}

  async request(topic: string, data: unknown, timeoutMs: number, key?: string): Promise<unknown> {
    try {
      return await firstValueFrom(
        this.client.send<unknown>(topic, envelope(data, key)).pipe(timeout({ first: timeoutMs })),
      );
    } catch (error) {
      if (error instanceof StrataError) throw error;
      if (error instanceof TimeoutError)
        throw new StrataError(ErrorCode.CacheUnavailable, `"${topic}" got no reply within ${timeoutMs} ms`);
      const peer = StrataError.fromPayload(error);
      if (peer) throw peer;
      throw new StrataError(ErrorCode.CacheUnavailable, `"${topic}" failed: ${describe(error)}`);
    }
  }

  async emit(topic: string, data: unknown, key?: string): Promise<void> {
    await firstValueFrom(this.client.emit(topic, envelope(data, key)), { defaultValue: undefined });
  }
}
