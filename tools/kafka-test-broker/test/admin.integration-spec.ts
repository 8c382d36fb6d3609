import { type Admin } from 'kafkajs';
import { KafkaHarness } from './support/kafka-harness';

describe('KafkaTestBroker with the kafkajs admin client', () => {
  let harness: KafkaHarness;
  let admin: Admin;

  beforeAll(async () => {
    harness = await KafkaHarness.start({ nodeId: 7 });
    admin = await harness.admin();
  });

  afterAll(() => harness.close());

  it('creates topics, reports an existing one as not created, and lists them', async () => {
    await expect(admin.createTopics({ topics: [{ topic: 'admin.orders', numPartitions: 3 }] })).resolves.toBe(true);
    await expect(admin.createTopics({ topics: [{ topic: 'admin.orders', numPartitions: 3 }] })).resolves.toBe(false);

    await expect(admin.listTopics()).resolves.toContain('admin.orders');
  });

  it('describes topic partitions led by the single broker', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin.described', numPartitions: 2 }] });

    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin.described'] });

    expect(topics).toEqual([
      {
        name: 'admin.described',
        partitions: [
          expect.objectContaining({ partitionId: 0, leader: 7, replicas: [7], isr: [7], partitionErrorCode: 0 }),
          expect.objectContaining({ partitionId: 1, leader: 7, replicas: [7], isr: [7], partitionErrorCode: 0 }),
        ],
      },
    ]);
  });

  it('reports itself as the controller of a one-broker cluster', async () => {
    const cluster = await admin.describeCluster();

    expect(cluster).toEqual({
      brokers: [{ nodeId: 7, host: harness.broker.host, port: harness.broker.port }],
      controller: 7,
      clusterId: 'kafka-test-broker',
    });
  });

  it('refuses a replication factor the single broker cannot provide', async () => {
    const failure = admin.createTopics({
      topics: [{ topic: 'admin.replicated', numPartitions: 1, replicationFactor: 3 }],
    });

    await expect(failure).rejects.toMatchObject({
      errors: [{ type: 'INVALID_REPLICATION_FACTOR', topic: 'admin.replicated' }],
    });
  });

  it('deletes topics', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin.doomed' }] });

    await admin.deleteTopics({ topics: ['admin.doomed'] });

    await expect(admin.listTopics()).resolves.not.toContain('admin.doomed');
  });

  it('adds partitions to a topic', async () => {
    await admin.createTopics({ topics: [{ topic: 'admin.growing', numPartitions: 1 }] });

    await admin.createPartitions({ topicPartitions: [{ topic: 'admin.growing', count: 4 }] });

    const { topics } = await admin.fetchTopicMetadata({ topics: ['admin.growing'] });
    expect(topics[0]?.partitions).toHaveLength(4);
  });
});
