import { createServer } from 'node:net';
import { DATA_CHANGES_TOPIC, dataChangeEventSchema } from '@strata/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { eventually } from './support/eventually';
import { runCli } from './support/run-cli';
import { type StrataProcess, startStrataProcess } from './support/strata-process';

/** `strata publish --kafka`: the event lands on strata.data-changes.v1 as the invalidation service consumes it. */
describe('strata publish --kafka (end to end)', () => {
  let broker: StrataProcess;
  let kafka: Kafka;

  beforeAll(async () => {
    broker = await startStrataProcess('dist/tools/kafka-test-broker/src/main.js', {}, /listening on (\S+)/);
    kafka = new Kafka({ clientId: 'cli-e2e', brokers: [broker.url], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: DATA_CHANGES_TOPIC, numPartitions: 1 }] });
    await admin.disconnect();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('publishes a valid data-change event, keyed by its tenant', async () => {
    const run = await runCli([
      '--json',
      'publish',
      '--kafka',
      broker.url,
      '--tenant',
      'acme',
      '--tag',
      'product:123',
      '--reason',
      'price changed',
      '--id',
      'evt-cli-1',
    ]);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({ id: 'evt-cli-1', topic: DATA_CHANGES_TOPIC, status: 'published', tenant: 'acme' });

    const consumer = kafka.consumer({ groupId: 'cli-e2e-check' });
    const received: { key: string; value: unknown }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: DATA_CHANGES_TOPIC, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) =>
        Promise.resolve(
          void received.push({
            key: message.key?.toString() ?? '',
            value: JSON.parse(message.value?.toString() ?? 'null'),
          }),
        ),
    });
    await eventually(() => received.length === 1, 30_000);
    await consumer.disconnect();
    expect(received[0].key).toBe('acme');
    expect(dataChangeEventSchema.parse(received[0].value)).toMatchObject({
      id: 'evt-cli-1',
      tenant: 'acme',
      tags: ['product:123'],
      reason: 'price changed',
      action: 'purge',
    });
  });

  it('exits 3 when no broker answers', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const run = await runCli([
      '--json',
      '--timeout',
      '3',
      'publish',
      '--kafka',
      `127.0.0.1:${port}`,
      '--tag',
      'product:123',
    ]);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stderr).error.code).toBe('unreachable');
  });
});
