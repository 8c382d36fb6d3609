import { type ExecutionContext, createParamDecorator } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { type SentMessage } from './message-transit';

/** The headers of a request-reply message that name where its reply goes: one replica's reply partition. */
const REPLY_TOPIC = 'kafka_replyTopic';
const REPLY_PARTITION = 'kafka_replyPartition';

function headerText(value: unknown): string {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof first === 'string') return first;
  return Buffer.isBuffer(first) ? first.toString() : '';
}

/**
 * When and by whom a consumed Kafka request was sent: its CreateTime (`message.timestamp`, stamped by the sender's
 * producer) and its reply address (topic and partition, one replica's while it holds them). Undefined for anything
 * but a Kafka message.
 */
export function sentMessageOf(host: Pick<ExecutionContext, 'switchToRpc'>): SentMessage | undefined {
  const context: unknown = host.switchToRpc().getContext();
  if (!(context instanceof KafkaContext)) return undefined;
  const message = context.getMessage() as { timestamp?: unknown; headers?: Record<string, unknown> | null };
  const headers = message.headers ?? {};
  const { timestamp } = message;
  return {
    sender: `${headerText(headers[REPLY_TOPIC])}/${headerText(headers[REPLY_PARTITION])}`,
    at: typeof timestamp === 'number' || (typeof timestamp === 'string' && timestamp !== '') ? Number(timestamp) : NaN,
  };
}

/** A message handler's parameter: {@link sentMessageOf} the message it serves. */
export const MessageSent = createParamDecorator((_data: unknown, host: ExecutionContext) => sentMessageOf(host));
