import {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type EachMessagePayload,
  Kafka,
  logLevel,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import { KafkaTestBroker, type KafkaTestBrokerOptions } from '../../src';

/** Fast group settings so rebalances in tests take milliseconds, not kafkajs' production defaults. */
export const FAST_CONSUMER = {
  sessionTimeout: 6_000,
  rebalanceTimeout: 6_000,
  heartbeatInterval: 100,
  maxWaitTimeInMs: 100,
};

/**
 * A started broker plus kafkajs clients that are all disconnected (before the broker stops) by `close()`.
 * Quiet: kafkajs logging is off.
 */
export class KafkaHarness {
  private readonly clients: { disconnect(): Promise<void> }[] = [];
  readonly kafka: Kafka;

  private constructor(readonly broker: KafkaTestBroker) {
    this.kafka = new Kafka({
      clientId: 'kafka-test-broker-spec',
      brokers: [broker.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 3, initialRetryTime: 50 },
    });
  }

  static async start(options?: KafkaTestBrokerOptions): Promise<KafkaHarness> {
    return new KafkaHarness(await KafkaTestBroker.start(options));
  }

  async admin(): Promise<Admin> {
    const admin = this.kafka.admin();
    this.clients.push(admin);
    await admin.connect();
    return admin;
  }

  async producer(config?: ProducerConfig): Promise<Producer> {
    const producer = this.kafka.producer(config);
    this.clients.push(producer);
    await producer.connect();
    return producer;
  }

  consumer(groupId: string, config?: Omit<ConsumerConfig, 'groupId'>): Consumer {
    const consumer = this.kafka.consumer({
      ...FAST_CONSUMER,
      retry: { retries: 3, initialRetryTime: 50 },
      ...config,
      groupId,
    });
    this.clients.push(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((client) => client.disconnect()));
    await this.broker.stop();
  }
}

/** An `eachMessage` handler that appends what `select` picks from each message to `sink`. */
export function collectInto<T>(
  sink: T[],
  select: (payload: EachMessagePayload) => T,
): (payload: EachMessagePayload) => Promise<void> {
  return (payload) => {
    sink.push(select(payload));
    return Promise.resolve();
  };
}
