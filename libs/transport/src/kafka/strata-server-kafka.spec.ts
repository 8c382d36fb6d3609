import { type KafkaContext } from '@nestjs/microservices';
import { ErrorCode } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { type Producer } from 'kafkajs';
import { StrataServerKafka } from './strata-server-kafka';

const TOPIC = 'strata.test.events.v1';

function setup(handler: () => Promise<void>) {
  const server = new StrataServerKafka(
    { client: { brokers: ['127.0.0.1:1'] } },
    { maxAttempts: 3, heartbeatIntervalMs: 1_000 },
  );
  // Quiet: the retries and dead-letters it logs are what the tests provoke.
  Object.assign(server, { logger: { warn: () => undefined, error: () => undefined, log: () => undefined } });
  server.addHandler(TOPIC, handler, true);
  const dead: string[] = [];
  const producer = {
    send: ({ topic }: { topic: string }) => {
      dead.push(topic);
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  const context = {
    getMessage: () => ({ offset: '42', key: Buffer.from('acme'), value: '{"id":"e1"}' }),
    getTopic: () => TOPIC,
    getPartition: () => 0,
    getProducer: () => producer,
  } as unknown as KafkaContext;
  const deliver = () => server.handleEvent(TOPIC, { pattern: TOPIC, data: { id: 'e1' } }, context);
  return { deliver, dead };
}

async function retries(): Promise<number> {
  return (await StrataMetrics.shared().kafkaRetries.get()).values.find((v) => v.labels.topic === TOPIC)?.value ?? 0;
}

describe(StrataServerKafka.name, () => {
  it('redelivers an event whose dependency is unavailable for as long as that lasts, never dead-lettering it', async () => {
    const { deliver, dead } = setup(() =>
      Promise.reject(Object.assign(new Error('Redis: connect ECONNREFUSED'), { code: ErrorCode.CacheUnavailable })),
    );
    const before = await retries();

    for (let attempt = 0; attempt < 5; attempt++)
      await expect(deliver()).rejects.toThrow('Redis: connect ECONNREFUSED');

    expect(dead).toEqual([]);
    expect((await retries()) - before).toBe(5);
  });

  it('dead-letters an event that keeps failing otherwise after maxAttempts, so its partition moves on', async () => {
    const { deliver, dead } = setup(() => Promise.reject(new Error('poison')));

    await expect(deliver()).rejects.toThrow('poison');
    await expect(deliver()).rejects.toThrow('poison');
    await expect(deliver()).resolves.toBeUndefined();

    expect(dead).toEqual([`${TOPIC}.dlq`]);
  });

  it('commits (resolves) a malformed event the exception filter already dead-lettered', async () => {
    const { deliver, dead } = setup(() =>
      Promise.reject(Object.assign(new Error('bad'), { code: ErrorCode.InvalidMessage, deadLettered: true })),
    );

    await expect(deliver()).resolves.toBeUndefined();
    expect(dead).toEqual([]);
  });
});
