import { type Kafka, type KafkaMessage, type ProducerBatch } from 'kafkajs';
import { KafkaRequester } from './kafka-requester';

const TOPIC = 'strata.test.echo.v1';
const REPLIES = `${TOPIC}.reply`;

type EachBatch = (payload: { batch: Record<string, unknown> }) => Promise<void>;

/**
 * A kafkajs client for one reply lane: Produce requests recorded and answered when the test says so, and a reply
 * consumer that joins at once (partition 0 of the reply topic) and is handed the batches the test delivers.
 */
function fakeKafka() {
  const produced: { batch: ProducerBatch; answer: () => void }[] = [];
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: (batch: ProducerBatch) => new Promise((resolve) => produced.push({ batch, answer: () => resolve([]) })),
  };
  const listeners: ((event: unknown) => void)[] = [];
  let eachBatch: EachBatch | undefined;
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: (_event: string, listener: (event: unknown) => void) => listeners.push(listener),
    connect: () => Promise.resolve(),
    subscribe: () => Promise.resolve(),
    run: (options: { eachBatch: EachBatch }) => {
      eachBatch = options.eachBatch;
      for (const listener of listeners) listener({ payload: { memberAssignment: { [REPLIES]: [0] } } });
      return Promise.resolve();
    },
    commitOffsets: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
  };
  const kafka = { producer: () => producer, consumer: () => consumer } as unknown as Pick<
    Kafka,
    'producer' | 'consumer'
  >;
  /** Delivers the reply to the `i`-th Produce request as kafkajs would: one batch, resolved when eachBatch returns. */
  const reply = (i: number, value: unknown) => {
    const headers = produced[i].batch.topicMessages![0].messages[0].headers!;
    const message = {
      offset: String(i),
      headers: { kafka_correlationId: Buffer.from(String(headers.kafka_correlationId)) },
      value: Buffer.from(JSON.stringify(value)),
    } as unknown as KafkaMessage;
    return eachBatch!({ batch: { topic: REPLIES, partition: 0, messages: [message], lastOffset: () => String(i) } });
  };
  return { kafka, produced, reply };
}

async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

function requester(kafka: Pick<Kafka, 'producer' | 'consumer'>) {
  return new KafkaRequester(
    {
      client: { brokers: ['127.0.0.1:1'] },
      consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3_000 },
      lanes: [{ groupId: 'test-client', requestTopics: [TOPIC] }],
    },
    kafka,
  );
}

describe(KafkaRequester.name, () => {
  it('fetches the next replies only once a request is on its way: a reply batch with none waits until one is sent', async () => {
    const { kafka, produced, reply } = fakeKafka();
    const sut = requester(kafka);
    await sut.connect();

    const first = sut.request(TOPIC, { n: 1 }, { timeoutMs: 60_000 });
    await turns();
    produced[0].answer();
    let returned = false;
    const batch = reply(0, { n: 1 }).then(() => (returned = true));
    await expect(first).resolves.toEqual({ n: 1 });
    await turns();
    expect(returned).toBe(false); // nothing to fetch: kafkajs' next Fetch waits, off the next request's path

    const second = sut.request(TOPIC, { n: 2 }, { timeoutMs: 60_000 });
    await turns();
    expect(returned).toBe(false); // its Produce request is not answered yet
    produced[1].answer();
    await batch; // the broker has the request: the next Fetch goes out for its reply

    void reply(1, { n: 2 });
    await expect(second).resolves.toEqual({ n: 2 });
    await sut.close();
  });

  it('returns a reply batch at once while another request of its lane awaits its reply', async () => {
    const { kafka, produced, reply } = fakeKafka();
    const sut = requester(kafka);
    await sut.connect();

    const first = sut.request(TOPIC, { n: 1 }, { timeoutMs: 60_000 });
    const second = sut.request(TOPIC, { n: 2 }, { timeoutMs: 60_000 });
    await turns();
    for (const p of produced) p.answer(); // the coalescing producer sent the second once the first was taken
    await turns();
    for (const p of produced) p.answer();
    await turns();
    let returned = false;
    void reply(0, { n: 1 }).then(() => (returned = true));
    await expect(first).resolves.toEqual({ n: 1 });
    await turns();
    expect(returned).toBe(true); // the second is still on its way: kafkajs fetches its reply at once

    void reply(produced.length - 1, { n: 2 });
    await expect(second).resolves.toEqual({ n: 2 });
    await sut.close();
  });

  it('lets a waiting reply batch return when it closes, so its consumer can stop', async () => {
    const { kafka, produced, reply } = fakeKafka();
    const sut = requester(kafka);
    await sut.connect();

    const first = sut.request(TOPIC, { n: 1 }, { timeoutMs: 60_000 });
    await turns();
    produced[0].answer();
    const batch = reply(0, { n: 1 });
    await first;
    await sut.close();

    await expect(batch).resolves.toBeUndefined();
  });
});
