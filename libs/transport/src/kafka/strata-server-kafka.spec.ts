import { type KafkaContext } from '@nestjs/microservices';
import { ErrorCode } from '@strata/contracts';
import { StrataMetrics } from '@strata/observability';
import { type EachBatchPayload, type Producer } from 'kafkajs';
import { of } from 'rxjs';
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

const REQUESTS = 'strata.test.echo.v1';

/** A server answering REQUESTS with `answer` through a producer whose sends are recorded (or fail). */
function requestSetup(answer: (data: { n: number }) => Promise<unknown>, send?: () => Promise<unknown>) {
  const server = new StrataServerKafka(
    { client: { brokers: ['127.0.0.1:1'] } },
    { maxAttempts: 3, heartbeatIntervalMs: 1_000 },
  );
  const warnings: { msg: string; requestId?: string }[] = [];
  Object.assign(server, {
    logger: {
      warn: (line: { msg: string; requestId?: string }) => warnings.push(line),
      error: () => undefined,
      log: () => undefined,
    },
  });
  server.addHandler(REQUESTS, answer, false);
  type Sent = { topic: string; value: string; headers: Record<string, unknown> };
  const sent: Sent[] = [];
  const producer = {
    send: ({ topic, messages }: { topic: string; messages: Omit<Sent, 'topic'>[] }) => {
      sent.push(...messages.map((m) => ({ topic, value: m.value, headers: m.headers })));
      return send ? send() : Promise.resolve([]);
    },
    sendBatch: ({ topicMessages }: { topicMessages: { topic: string; messages: Omit<Sent, 'topic'>[] }[] }) => {
      for (const { topic, messages } of topicMessages)
        sent.push(...messages.map((m) => ({ topic, value: m.value, headers: m.headers })));
      return send ? send() : Promise.resolve([]);
    },
  };
  Object.assign(server, { producer });
  const request = (n: number, requestId?: string) =>
    server.handleMessage({
      topic: REQUESTS,
      partition: 0,
      message: {
        offset: String(n),
        key: null,
        value: Buffer.from(JSON.stringify({ n })),
        headers: {
          kafka_correlationId: Buffer.from(`c-${n}`),
          kafka_replyTopic: Buffer.from(`${REQUESTS}.reply`),
          kafka_replyPartition: Buffer.from('1'),
          ...(requestId === undefined ? {} : { 'x-request-id': Buffer.from(requestId) }),
        },
      },
      heartbeat: () => Promise.resolve(),
    } as unknown as Parameters<StrataServerKafka['handleMessage']>[0]);
  return { request, sent, warnings };
}

/**
 * A request-reply server (offsets committed periodically) bound to a fake consumer: its batch handler, and what it did.
 * `committed`: the offsets committed (the next one to read), each time the server commits (`commit()`, or closing).
 */
async function batchSetup(answer: (data: { n: number }) => Promise<unknown>, maxRequestsInFlight?: number) {
  const server = new StrataServerKafka(
    { client: { brokers: ['127.0.0.1:1'] } },
    {
      maxAttempts: 3,
      heartbeatIntervalMs: 1_000,
      commitEveryMs: 60_000,
      ...(maxRequestsInFlight === undefined ? {} : { maxRequestsInFlight }),
    },
  );
  Object.assign(server, { logger: { warn: () => undefined, error: () => undefined, log: () => undefined } });
  server.addHandler(REQUESTS, answer, false);
  const replies: number[] = [];
  /** What the server did to its consumer and producer when closing, and the replies sent by then. */
  const closing: string[] = [];
  const producer = {
    sendBatch: ({ topicMessages }: { topicMessages: { messages: { value: string }[] }[] }) => {
      for (const { messages } of topicMessages)
        for (const m of messages) replies.push((JSON.parse(m.value) as { n: number }).n);
      return Promise.resolve([]);
    },
    disconnect: () => {
      closing.push(`producer disconnected after ${replies.length} replies`);
      return Promise.resolve();
    },
  };
  let run: { eachBatch?: (payload: EachBatchPayload) => Promise<void> } = {};
  const committed: string[] = [];
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    on: () => undefined,
    subscribe: () => Promise.resolve(),
    run: (options: typeof run) => {
      run = options;
      return Promise.resolve();
    },
    commitOffsets: (offsets: { offset: string }[]) => {
      committed.push(...offsets.map((o) => o.offset));
      return Promise.resolve();
    },
    stop: () => {
      closing.push(`consumer stopped after ${replies.length} replies`);
      return Promise.resolve();
    },
    disconnect: () => {
      closing.push(`consumer disconnected after ${replies.length} replies`);
      return Promise.resolve();
    },
  };
  Object.assign(server, { producer, consumer });
  await server.bindEvents(consumer as unknown as Parameters<StrataServerKafka['bindEvents']>[0]);
  const resolved: string[] = [];
  const deliver = (messages: { n: number; key?: string }[]) =>
    run.eachBatch!({
      batch: {
        topic: REQUESTS,
        partition: 0,
        messages: messages.map(({ n, key }) => ({
          offset: String(n),
          key: key === undefined ? null : Buffer.from(key),
          value: Buffer.from(JSON.stringify({ n })),
          headers: { kafka_correlationId: Buffer.from(`c-${n}`), kafka_replyTopic: Buffer.from(`${REQUESTS}.reply`) },
        })),
      },
      resolveOffset: (offset: string) => resolved.push(offset),
      heartbeat: () => Promise.resolve(),
      pause: () => () => undefined,
      isRunning: () => true,
      isStale: () => false,
    } as unknown as EachBatchPayload);
  const commit = () => (server as unknown as { commits: { commit(): Promise<void> } }).commits.commit();
  return { deliver, replies, resolved, committed, commit, closing, close: () => server.close() };
}

/** A handler whose answers wait until the test opens them (`open(n)`), recording when each starts and ends. */
function gatedHandler() {
  const events: string[] = [];
  const gates = new Map<number, () => void>();
  const answer = ({ n }: { n: number }) =>
    new Promise((resolve) => {
      events.push(`start ${n}`);
      gates.set(n, () => {
        events.push(`end ${n}`);
        resolve({ n });
      });
    });
  const started = async (n: number) => {
    while (!gates.has(n)) await new Promise((resolve) => setImmediate(resolve));
  };
  const open = async (n: number) => {
    await started(n);
    gates.get(n)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { answer, events, started, open };
}

describe(StrataServerKafka.name, () => {
  it('sends the reply of a request, as one message marked disposed, before the request counts as handled', async () => {
    const { request, sent } = requestSetup(({ n }) => Promise.resolve({ doubled: n * 2 }));

    await request(21);

    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe(`${REQUESTS}.reply`);
    expect(JSON.parse(sent[0].value)).toEqual({ doubled: 42 });
    expect(String(sent[0].headers.kafka_correlationId)).toBe('c-21');
    expect(sent[0].headers['kafka_nest-is-disposed']).toBeDefined();
  });

  it('sends each value of a handler that answers with a stream, the last one marked disposed', async () => {
    const { request, sent } = requestSetup(() => Promise.resolve(of({ part: 1 }, { part: 2 })));

    await request(5);

    expect(sent.map((m) => JSON.parse(m.value) as unknown)).toEqual([{ part: 1 }, { part: 2 }]);
    expect(sent.map((m) => m.headers['kafka_nest-is-disposed'] !== undefined)).toEqual([false, true]);
    expect(sent.map((m) => String(m.headers.kafka_correlationId))).toEqual(['c-5', 'c-5']);
  });

  it('handles the unkeyed requests of a batch at once and a keyed one after those before it, committing offsets in order', async () => {
    const { answer, events, open } = gatedHandler();
    const { deliver, replies, committed, commit } = await batchSetup(answer);

    const handled = deliver([{ n: 0 }, { n: 1 }, { n: 2, key: 'tenant' }, { n: 3 }]);
    await open(1);
    await commit();
    expect(committed).toEqual([]); // 0 is still being handled
    await open(0);
    await open(2);
    await handled;
    await open(3);
    await commit();

    expect(events).toEqual(['start 0', 'start 1', 'end 1', 'end 0', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(replies.sort()).toEqual([0, 1, 2, 3]);
    expect(committed).toEqual(['4']);
  });

  it('answers the requests after one that waits on a slow dependency at once: its batch returns without waiting for it, so the next fetch is not held back', async () => {
    const { answer, events, started, open } = gatedHandler();
    const { deliver, replies, resolved, committed, commit } = await batchSetup(answer);

    await deliver([{ n: 0 }, { n: 1 }]); // returns while both are being handled
    await open(1);
    await deliver([{ n: 2 }]);
    await open(2);
    await commit();

    expect(replies).toEqual([1, 2]);
    expect(resolved).toEqual(['0', '1', '2']); // fetched past, so kafkajs fetches what follows
    expect(committed).toEqual([]); // but not committed while 0 is unanswered: a restart asks it again
    await started(0);
    await open(0);
    await commit();
    expect(committed).toEqual(['3']);
    expect(events.slice(0, 2)).toEqual(['start 0', 'start 1']);
  });

  it('handles a keyed request only once the requests of earlier batches of its partition are answered', async () => {
    const { answer, events, open } = gatedHandler();
    const { deliver } = await batchSetup(answer);

    await deliver([{ n: 0 }]);
    const keyed = deliver([{ n: 1, key: 'tenant' }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual(['start 0']);
    await open(0);
    await open(1);
    await keyed;

    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1']);
  });

  it('waits within a batch once maxRequestsInFlight requests are unanswered, and goes on as one is', async () => {
    const { answer, events, open } = gatedHandler();
    const { deliver } = await batchSetup(answer, 2);

    const handled = deliver([{ n: 0 }, { n: 1 }, { n: 2 }]);
    await open(1);
    await open(0);
    await handled;
    await open(2);

    expect(events).toEqual(['start 0', 'start 1', 'end 1', 'start 2', 'end 0', 'end 2']);
  });

  it('drains when closing: the requests being handled are answered and committed before the consumer disconnects', async () => {
    const { answer, open } = gatedHandler();
    const { deliver, replies, committed, closing, close } = await batchSetup(answer);

    await deliver([{ n: 0 }, { n: 1 }]);
    const closed = close();
    await open(0);
    await open(1);
    await closed;

    expect(replies.sort()).toEqual([0, 1]);
    expect(committed).toEqual(['2']);
    expect(closing).toEqual([
      'consumer stopped after 0 replies',
      'consumer disconnected after 2 replies',
      'producer disconnected after 2 replies',
    ]);
  });

  it('sends a failing handler’s error as the reply', async () => {
    const { request, sent } = requestSetup(() => Promise.reject(new Error('boom')));

    await request(1);

    expect(sent).toHaveLength(1);
    expect(sent[0].headers['kafka_nest-err']).toBeDefined();
  });

  it('logs a reply the broker did not take rather than failing the request (its caller’s deadline answers), naming the request', async () => {
    const { request, warnings } = requestSetup(
      () => Promise.resolve({ ok: true }),
      () => Promise.reject(new Error('broker away')),
    );

    await expect(request(3, 'req-3')).resolves.toBeUndefined();

    expect(warnings).toEqual([
      {
        msg: expect.stringMatching(/reply to strata\.test\.echo\.v1\.reply was not sent: broker away/) as string,
        requestId: 'req-3',
      },
    ]);
  });

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
