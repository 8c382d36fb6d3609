import { type EachMessagePayload } from 'kafkajs';
import { eventually } from './support/eventually';
import { collectInto, KafkaHarness } from './support/kafka-harness';

interface Received {
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

function received(payload: EachMessagePayload): Received {
  const { partition, message } = payload;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
  return { partition, offset: message.offset, key: String(message.key), value: String(message.value), headers };
}

describe('KafkaTestBroker producing and consuming with kafkajs', () => {
  let harness: KafkaHarness;

  beforeAll(async () => {
    harness = await KafkaHarness.start();
  });

  afterAll(() => harness.close());

  it('delivers keyed messages across partitions with keys, values, headers and per-partition order', async () => {
    const admin = await harness.admin();
    await admin.createTopics({ topics: [{ topic: 'rt.keyed', numPartitions: 3 }] });
    const producer = await harness.producer();
    const consumer = harness.consumer('rt.keyed.group');
    const messages: Received[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'rt.keyed', fromBeginning: true });
    await consumer.run({ eachMessage: collectInto(messages, received) });

    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `tenant-${i % 6}`,
      value: `message-${i}`,
      headers: { seq: String(i) },
    }));
    await producer.send({ topic: 'rt.keyed', messages: sent.slice(0, 15) });
    await producer.send({ topic: 'rt.keyed', messages: sent.slice(15) });

    await eventually(() => expect(messages).toHaveLength(30));
    expect(new Set(messages.map((m) => m.partition)).size).toBeGreaterThan(1);
    for (const key of new Set(sent.map((m) => m.key))) {
      const forKey = messages.filter((m) => m.key === key);
      expect(new Set(forKey.map((m) => m.partition)).size).toBe(1);
      expect(forKey.map((m) => m.value)).toEqual(sent.filter((m) => m.key === key).map((m) => m.value));
    }
    for (const message of messages) expect(message.headers.seq).toBe(message.value.replace('message-', ''));
  });

  it('acknowledges sends with offsets that grow per partition', async () => {
    const producer = await harness.producer();

    const first = await producer.send({ topic: 'rt.offsets', messages: [{ value: 'a' }, { value: 'b' }] });
    const second = await producer.send({ topic: 'rt.offsets', messages: [{ value: 'c' }] });

    expect(first).toEqual([
      expect.objectContaining({ topicName: 'rt.offsets', partition: 0, errorCode: 0, baseOffset: '0' }),
    ]);
    expect(second).toEqual([expect.objectContaining({ partition: 0, baseOffset: '2' })]);
  });

  it('delivers messages from an idempotent producer exactly once', async () => {
    const producer = await harness.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = harness.consumer('rt.idempotent.group');
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'rt.idempotent', fromBeginning: true });
    await consumer.run({ eachMessage: collectInto(values, ({ message }) => String(message.value)) });

    for (let i = 0; i < 5; i++) await producer.send({ topic: 'rt.idempotent', messages: [{ value: `v${i}` }] });

    await eventually(() => expect(values).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']));
  });

  it('answers offset queries for the earliest, the latest and a timestamp', async () => {
    const admin = await harness.admin();
    const producer = await harness.producer();
    await producer.send({
      topic: 'rt.times',
      messages: [
        { value: 'old', timestamp: '1000' },
        { value: 'older', timestamp: '1500' },
      ],
    });
    await producer.send({ topic: 'rt.times', messages: [{ value: 'new', timestamp: '5000' }] });

    await expect(admin.fetchTopicOffsets('rt.times')).resolves.toEqual([
      expect.objectContaining({ partition: 0, offset: '3', low: '0', high: '3' }),
    ]);
    await expect(admin.fetchTopicOffsetsByTimestamp('rt.times', 1200)).resolves.toEqual([
      { partition: 0, offset: '1' },
    ]);
    await expect(admin.fetchTopicOffsetsByTimestamp('rt.times', 4000)).resolves.toEqual([
      { partition: 0, offset: '2' },
    ]);
  });
});
