import { KafkajsProtocolClient, SocketTransport } from './support/kafkajs-protocol-client';
import { KafkaHarness } from './support/kafka-harness';

interface FetchResponse {
  responses: { partitions: { highWatermark: string; messages: { value: Buffer | null }[] }[] }[];
}

const ONE_MIB = 1024 * 1024;

describe('KafkaTestBroker fetch long polling', () => {
  let harness: KafkaHarness;
  let transport: SocketTransport;

  beforeAll(async () => {
    harness = await KafkaHarness.start();
    await (await harness.admin()).createTopics({ topics: [{ topic: 'poll.wake' }] });
    transport = await SocketTransport.open(harness.broker.host, harness.broker.port);
  });

  afterAll(async () => {
    transport.close();
    await harness.close();
  });

  // The fetch may wait 30 s, far beyond this test's 10 s budget: it passes only if the produce wakes it.
  it('answers a parked fetch as soon as a record is produced', async () => {
    const client = new KafkajsProtocolClient(transport.send);
    const beforeFetch = client.send('ListOffsets', 3, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ topic: 'poll.wake', partitions: [{ partition: 0, timestamp: -1 }] }],
    });
    const fetching = client.send<FetchResponse>('Fetch', 11, {
      replicaId: -1,
      maxWaitTime: 30_000,
      minBytes: 1,
      maxBytes: ONE_MIB,
      topics: [{ topic: 'poll.wake', partitions: [{ partition: 0, fetchOffset: '0', maxBytes: ONE_MIB }] }],
    });
    await beforeFetch; // answered in order on this connection, so the broker has taken up the fetch by now

    const producer = await harness.producer();
    await producer.send({ topic: 'poll.wake', messages: [{ value: 'wake up' }] });

    const fetched = await fetching;
    const partition = fetched.responses[0]?.partitions[0];
    expect(partition?.highWatermark).toBe('1');
    expect(partition?.messages.map((m) => String(m.value))).toEqual(['wake up']);
  }, 10_000);
});
