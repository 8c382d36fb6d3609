import { type Message, type Producer, type ProducerBatch, type TopicMessages } from 'kafkajs';

interface Queued {
  readonly topic: string;
  readonly message: Message;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Sends messages through a kafkajs producer, one Produce request at a time: a message sent while none is in flight
 * goes out at once (no linger: one request in flight adds no wait), and the messages sent while one is in flight go
 * out together, in one Produce request, when it is answered. kafkajs has no batching across `send()` calls, so
 * under concurrency each request and each reply was a Produce round trip of its own — a socket write and a response
 * to decode per message, the largest CPU cost of a request-reply on each side.
 */
export class CoalescingProducer {
  private queue: Queued[] = [];
  private sending = false;

  constructor(
    private readonly producer: Pick<Producer, 'sendBatch'>,
    /** Settings of every Produce request (acks, timeout, compression); kafkajs' defaults when unset. */
    private readonly settings: Omit<ProducerBatch, 'topicMessages'> = {},
  ) {}

  /** Resolves when the broker has the message (the Produce request that carried it was answered). */
  send(topic: string, message: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, message, resolve, reject });
      if (!this.sending) this.flush();
    });
  }

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.sending = true;
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of batch) {
      const messages = byTopic.get(topic);
      if (messages) messages.push(message);
      else byTopic.set(topic, [message]);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    this.producer.sendBatch({ ...this.settings, topicMessages }).then(
      () => this.settle(batch, undefined),
      (error: unknown) => this.settle(batch, error ?? new Error('the Produce request failed')),
    );
  }

  private settle(batch: readonly Queued[], error: unknown): void {
    for (const queued of batch) {
      if (error === undefined) queued.resolve();
      else queued.reject(error);
    }
    this.sending = false;
    this.flush();
  }
}
