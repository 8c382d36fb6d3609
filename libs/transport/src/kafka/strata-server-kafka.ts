import { type KafkaContext, type ReadPacket, ServerKafka } from '@nestjs/microservices';
import { type KafkaOptions } from '@nestjs/microservices';
import { ErrorCode } from '@strata/contracts';
import { CORRELATION_HEADER, Correlation, StrataMetrics } from '@strata/observability';
import { isObservable, lastValueFrom } from 'rxjs';
import { type RpcErrorPayload } from '../rpc-exception.filter';
import { sendToDeadLetter } from './dead-letter';

export interface StrataServerKafkaOptions {
  /** A message whose handling fails this many times is dead-lettered so its partition moves on. */
  readonly maxAttempts: number;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const { cause, message } = error as { cause?: unknown; message?: unknown };
    if (typeof cause === 'string') return cause;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

/**
 * NestJS' Kafka server with Strata's delivery guarantees for events:
 *
 * - the handler's effect is awaited before the offset may be committed (at-least-once): the stock
 *   server fires an event handler and lets kafkajs commit whatever happens to it;
 * - a transient failure is thrown back to kafkajs, which redelivers from the last committed offset
 *   with backoff;
 * - a malformed message (already dead-lettered by the exception filter) is committed and skipped;
 * - a message that keeps failing is dead-lettered after `maxAttempts`, so it cannot stall its partition.
 */
export class StrataServerKafka extends ServerKafka {
  private readonly attempts = new Map<string, number>();

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly strata: StrataServerKafkaOptions,
  ) {
    super(options);
  }

  /** Restores the correlation id the sender put in the message headers, for everything the handler does. */
  override handleMessage(payload: Parameters<ServerKafka['handleMessage']>[0]): Promise<unknown> {
    const raw = payload.message.headers?.[CORRELATION_HEADER];
    const id = Array.isArray(raw) ? raw[0] : raw;
    return id === undefined ? super.handleMessage(payload) : Correlation.run(id.toString(), () => super.handleMessage(payload));
  }

  override async handleEvent(pattern: string, packet: ReadPacket, context: KafkaContext): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    const message = context.getMessage();
    const origin = { topic: context.getTopic(), partition: context.getPartition(), offset: message.offset, key: message.key, value: message.value };
    if (!handler) {
      await sendToDeadLetter(context.getProducer(), origin, `no handler for ${pattern}`, 'unhandled');
      return;
    }
    const id = `${origin.topic}/${origin.partition}/${origin.offset}`;
    try {
      const result: unknown = await handler(packet.data, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      this.attempts.delete(id);
    } catch (error) {
      const payload = error as Partial<RpcErrorPayload> | undefined;
      if (payload?.deadLettered || payload?.code === ErrorCode.InvalidMessage) {
        this.attempts.delete(id);
        return;
      }
      const attempt = (this.attempts.get(id) ?? 0) + 1;
      if (attempt >= this.strata.maxAttempts) {
        this.attempts.delete(id);
        await sendToDeadLetter(context.getProducer(), origin, `failed ${attempt} times: ${describe(error)}`, 'exhausted');
        return;
      }
      this.attempts.set(id, attempt);
      StrataMetrics.shared().kafkaRetries.inc({ topic: origin.topic });
      this.logger.warn(`${id} failed (attempt ${attempt}/${this.strata.maxAttempts}), will be redelivered: ${describe(error)}`);
      throw error instanceof Error ? error : new Error(describe(error));
    }
  }
}
