import { deadLetterTopic } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { type Producer } from 'kafkajs';

interface DeadLetterOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | string | null | undefined;
  /** The message value as consumed (NestJS has already tried to parse it as JSON). */
  readonly value: unknown;
}

/** The JSON written to `<topic>.dlq`: enough to understand, fix and replay the message. */
interface DeadLetterEnvelope {
  readonly reason: string;
  readonly origin: { readonly topic: string; readonly partition: number; readonly offset: string };
  readonly key: string | null;
  readonly value: string | null;
  readonly failedAt: string;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

/** Sends a message that cannot be processed to its dead-letter topic, keyed as the original. */
export async function sendToDeadLetter(
  producer: Producer,
  origin: DeadLetterOrigin,
  reason: string,
  reasonClass: string,
): Promise<void> {
  const envelope: DeadLetterEnvelope = {
    reason,
    origin: { topic: origin.topic, partition: origin.partition, offset: origin.offset },
    key: text(origin.key),
    value: text(origin.value),
    failedAt: new Date().toISOString(),
  };
  await producer.send({
    topic: deadLetterTopic(origin.topic),
    messages: [
      {
        key: envelope.key,
        value: JSON.stringify(envelope),
        headers: {
          'x-strata-dlq-reason': reason.slice(0, 512),
          'x-strata-origin': `${origin.topic}/${origin.partition}/${origin.offset}`,
        },
      },
    ],
  });
  StrataMetrics.shared().deadLettered.inc({ topic: origin.topic, reason: reasonClass });
}
