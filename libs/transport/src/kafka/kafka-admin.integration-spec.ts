import { createServer } from 'node:net';
import { loadConfig } from '@strata/config';
import { Kafka, logLevel } from 'kafkajs';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only tool, never a runtime dependency
import { KafkaTestBroker } from '../../../../tools/kafka-test-broker/src';
import { KafkaAdmin } from './kafka-admin';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const config = (brokers: string, replicationFactor = 1) =>
  loadConfig({}, { kafka: { brokers: [brokers], partitions: 3, replicationFactor }, log: { level: 'silent' } });

describe(KafkaAdmin.name, () => {
  let broker: KafkaTestBroker | undefined;
  afterEach(async () => {
    await broker?.stop();
    broker = undefined;
  });

  it('waits for a broker that starts later, then creates the missing topics with the configured partitions', async () => {
    const port = await freePort();
    const admin = new KafkaAdmin(config(`127.0.0.1:${port}`), 'admin-test');
    const waiting = admin.waitForBroker();
    broker = await KafkaTestBroker.start({ port, autoCreateTopics: false });
    await waiting;
    await admin.ensureTopics(['strata.cache.lookup.v1', 'strata.cache.lookup.v1.reply']);
    await admin.ensureTopics(['strata.cache.lookup.v1']); // existing topics are left alone

    const check = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await check.connect();
    const metadata = await check.fetchTopicMetadata({
      topics: ['strata.cache.lookup.v1', 'strata.cache.lookup.v1.reply'],
    });
    expect(metadata.topics.map((t) => t.partitions.length)).toEqual([3, 3]);
    await check.disconnect();
    await admin.close();
  });

  it('goes on when the cluster refuses to create topics, instead of failing the service', async () => {
    broker = await KafkaTestBroker.start({ autoCreateTopics: false });
    const admin = new KafkaAdmin(config(broker.brokers, 3), 'admin-test'); // a one-node cluster refuses replication 3
    await admin.waitForBroker();
    await expect(admin.ensureTopics(['strata.cache.stats.v1'])).resolves.toBeUndefined();
    await expect(admin.ping()).resolves.toBeUndefined();
    await admin.close();
  });

  it('fails readiness while the broker is gone', async () => {
    broker = await KafkaTestBroker.start();
    const admin = new KafkaAdmin(config(broker.brokers), 'admin-test');
    await admin.waitForBroker();
    await broker.stop();
    broker = undefined;
    await expect(admin.ping()).rejects.toThrow();
    await admin.close();
  });
});
