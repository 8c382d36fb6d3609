import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { FakeUpstream } from '@strata/testing';
import { createClient } from 'redis';
import { QdrantTestDouble, type RunningQdrantTestDouble } from '../tools/qdrant-test-double/src';
import { eventually } from './support/eventually';
import { type StrataProcess, distributedEnv, http, startStrataProcess } from './support/strata-process';

/**
 * Distributed mode as production runs it: the four services as separate OS processes (two gateway
 * replicas) over Kafka (the wire-protocol test broker, its own process), Redis (L2) and Qdrant (the REST
 * test double, L3). Driven over HTTP and with plain kafkajs on the documented topics.
 */
describe('distributed mode over Kafka (end to end)', () => {
  const REDIS_DB = 11;
  const LOOKUP_TIMEOUT_MS = 750;
  let broker: StrataProcess;
  let qdrant: RunningQdrantTestDouble;
  let embedding: StrataProcess;
  let cache: StrataProcess;
  let invalidation: StrataProcess;
  let gatewayA: StrataProcess;
  let gatewayB: StrataProcess;
  let kafka: Kafka;
  let env: Record<string, string>;
  let upstream: FakeUpstream;
  const redis = createClient({ url: `redis://127.0.0.1:6379/${REDIS_DB}` });

  const ask = (content: string) => ({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    params: { temperature: 0 },
  });
  const lookup = (gw: StrataProcess, content: string, mode = 'auto') =>
    http(gw.url, 'POST', '/v1/cache/lookup', { body: { ...ask(content), mode } });
  const startService = (name: string, extra: Record<string, string> = {}) =>
    startStrataProcess(`dist/apps/${name}/src/main.js`, { ...env, ...extra });
  /** Points of this entry id in L3 (Qdrant), counted through Qdrant's REST API. */
  const pointsInQdrant = async (id: string): Promise<number> => {
    const res = await fetch(`${qdrant.url}/collections/strata_use-lite/points/count`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter: { must: [{ has_id: [id] }] }, exact: true }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { result: { count: number } }).result.count;
  };
  const ready = (p: StrataProcess) =>
    eventually(async () => (await http(p.url, 'GET', '/health/ready')).status === 200, 30_000);

  beforeAll(async () => {
    await redis.connect();
    await redis.flushDb();
    broker = await startStrataProcess('dist/tools/kafka-test-broker/src/main.js', {}, /listening on (\S+)/);
    qdrant = await QdrantTestDouble.start({ port: 0 });
    kafka = new Kafka({ clientId: 'e2e', brokers: [broker.url], logLevel: logLevel.NOTHING });
    upstream = await FakeUpstream.start();
    env = {
      ...distributedEnv({
        brokers: broker.url,
        redisDb: REDIS_DB,
        qdrantUrl: qdrant.url,
        cacheTimeoutMs: LOOKUP_TIMEOUT_MS,
      }),
      UPSTREAM_URL: upstream.url,
    };
    [embedding, cache, invalidation] = await Promise.all([
      startService('embedding'),
      startService('cache'),
      startService('invalidation'),
    ]);
    [gatewayA, gatewayB] = await Promise.all([
      startService('gateway', { STRATA_INSTANCE_ID: 'gw-a' }),
      startService('gateway', { STRATA_INSTANCE_ID: 'gw-b' }),
    ]);
    for (const p of [embedding, cache, invalidation, gatewayA, gatewayB]) await ready(p);
  }, 120_000);

  afterAll(async () => {
    for (const p of [gatewayA, gatewayB, invalidation, cache, embedding]) await p?.stop();
    await broker?.stop();
    await qdrant?.stop();
    await upstream?.stop();
    await redis.flushDb();
    await redis.quit();
  });

  let returnsId: string;

  it('stores through one gateway and serves exact, semantic and miss through both', async () => {
    const stored = await http(gatewayA.url, 'POST', '/v1/cache/entries', {
      body: { ...ask('What is the return window for shoes?'), response: { answer: '30 days' }, tags: ['product:1'] },
    });
    expect(stored.status).toBe(201);
    expect(stored.body.tiers).toEqual({ l1: true, l2: true, l3: true });
    returnsId = stored.body.id;
    await http(gatewayA.url, 'POST', '/v1/cache/entries', {
      body: { ...ask('Do you ship to Canada?'), response: { answer: 'yes' }, tags: ['product:2'] },
    });

    expect((await lookup(gatewayA, 'What is the return window for shoes?')).body).toMatchObject({
      hit: true,
      tier: 'l1',
      id: returnsId,
    });
    const fromB = await eventually(async () => {
      const res = await lookup(gatewayB, 'What is the return window for shoes?');
      expect(res.body).toMatchObject({ hit: true, tier: 'l2', id: returnsId });
      return res;
    });
    expect(fromB.body.response).toEqual({ answer: '30 days' });
    expect((await lookup(gatewayB, 'What is the return window for shoes?')).body.tier).toBe('l1');

    const semantic = await lookup(gatewayB, 'what is the return window for shoes');
    expect(semantic.body).toMatchObject({ hit: true, tier: 'l3', id: returnsId });
    expect((await lookup(gatewayB, 'Do you sell hats?')).body).toMatchObject({ hit: false, status: 'miss' });
    expect(await redis.exists(`strata:e:{default}:${returnsId}`)).toBe(1);
    expect(await pointsInQdrant(returnsId)).toBe(1);
  });

  it("counts a lookup's budget from when it was sent, whatever the sender's clock says: one that spent it on its way is answered at once, unsearched", async () => {
    // Lookups sent with plain kafkajs, as a gateway sends them, with the send time (CreateTime) set by the test: a
    // sender's clock 2 s behind ours (reply partition 0), then another's 2 s ahead (partition 1).
    const replyTopic = `e2e.lookup.reply.${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: replyTopic, numPartitions: 2 }] });
    await admin.disconnect();
    const replies = new Map<string, unknown>();
    const consumer = kafka.consumer({ groupId: `e2e-lookups-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: replyTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        replies.set(String(message.headers?.kafka_correlationId), JSON.parse(String(message.value)));
        return Promise.resolve();
      },
    });
    const producer = kafka.producer();
    await producer.connect();
    /** A new question's lookup, sent `waitedMs` ago by a clock `skewMs` ahead of ours, replied to `partition`. */
    const send = async (partition: number, skewMs: number, waitedMs: number): Promise<unknown> => {
      const id = randomUUID();
      const request = {
        tenant: 'default',
        namespace: 'default',
        model: 'gpt-4o-mini',
        exactKey: randomBytes(32).toString('hex'),
        contextHash: randomBytes(32).toString('hex'),
        query: `a question nobody asked before, ${id}`,
        mode: 'auto',
        budgetMs: LOOKUP_TIMEOUT_MS,
      };
      await producer.send({
        topic: 'strata.cache.lookup.v1',
        messages: [
          {
            value: JSON.stringify(request),
            timestamp: String(Date.now() + skewMs - waitedMs),
            headers: { kafka_correlationId: id, kafka_replyTopic: replyTopic, kafka_replyPartition: String(partition) },
          },
        ],
      });
      return eventually(() => {
        expect(replies.has(id)).toBe(true);
        return replies.get(id);
      });
    };
    try {
      for (const [partition, skew] of [
        [0, -2_000],
        [1, 2_000],
      ]) {
        // Sent just now by the sender's clock: searched, not late (the first of a sender sets its floor).
        for (let i = 0; i < 3; i++) expect(await send(partition, skew, 0)).not.toHaveProperty('late');
        // Sent 2 s ago: its 750 ms were spent on the way. A miss with its ticket, said at once, and not searched.
        expect(await send(partition, skew, 2_000)).toEqual({
          hit: false,
          ticket: expect.any(Number) as number,
          semantic: 'busy',
          late: true,
        });
      }
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }
  });

  it('answers at once, and says so, the misses whose embedding would come after the lookup timeout while the encoder is behind', async () => {
    // Hundreds of new questions at once: the embedding service's encoder queues seconds of work, past 750 ms.
    const burst = Array.from({ length: 400 }, (_, i) => `burst question ${i} about ${randomUUID()}`);
    // What each reply said, as `<status> <what the cache did>`: tallied per kind, the whole distribution is printed
    // when an expectation fails (a lookup's miss without ticket or reason is one the gateway stopped waiting for).
    const replies = await Promise.all(
      burst.map(async (question, i) => {
        if (i % 2 === 0) {
          const res = await lookup(gatewayA, question);
          const body = res.body as { hit?: boolean; tier?: string; ticket?: number; reason?: string };
          const said =
            body.hit === true
              ? `hit ${body.tier}`
              : (body.reason ?? (body.ticket === undefined ? 'miss without ticket' : 'miss'));
          return { kind: 'lookups' as const, status: res.status, said: `${res.status} ${said}` };
        }
        const res = await fetch(`${gatewayA.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...ask(question), temperature: 0, params: undefined }),
        });
        await res.arrayBuffer();
        const detail = /; detail=([^;]+)/.exec(res.headers.get('cache-status') ?? '')?.[1];
        const said = `${res.headers.get('x-strata-cache') ?? 'no cache status'}${detail === undefined ? '' : ` ${detail}`}`;
        return { kind: 'chats' as const, status: res.status, said: `${res.status} ${said}` };
      }),
    );
    const tally = { lookups: {} as Record<string, number>, chats: {} as Record<string, number> };
    for (const { kind, said } of replies) tally[kind][said] = (tally[kind][said] ?? 0) + 1;
    // And what the cache service counted: semantic steps the embedding service refused (`busy`), and lookups that
    // reached it with their budget already spent on the way (`late`, not searched); printed with a failure.
    const metrics = await (await fetch(`${cache.url}/metrics`)).text();
    const shed = Object.fromEntries(
      [...metrics.matchAll(/strata_tier_errors_total\{tier="embedding",operation="(busy|late)"\} (\d+)/g)].map(
        ([, operation, count]) => [operation, Number(count)],
      ),
    );
    expect({ statuses: [...new Set(replies.map((r) => r.status))], tally, shed }).toMatchObject({ statuses: [200] });
    // Shed lookups of both kinds: the budget travelled gateway → cache service → embedding service over Kafka, and the
    // refusal came back within the lookup's time.
    expect({ ...tally, shed }).toMatchObject({
      lookups: { '200 semantic-busy': expect.any(Number) },
      chats: { '200 MISS semantic-busy': expect.any(Number) },
    });
    // Once the encoder has caught up, a new question is looked up in full again.
    await eventually(
      async () => {
        const res = await lookup(gatewayA, `after the burst ${randomUUID()}`);
        return res.status === 200 && (res.body as { reason?: string }).reason === undefined;
      },
      60_000,
      500,
    );
  }, 90_000);

  it('removes exactly the tagged entries from Redis, Qdrant and both gateways when a data-change event is published with kafkajs', async () => {
    await lookup(gatewayB, 'Do you ship to Canada?'); // both gateways now hold both entries in L1
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'strata.data-changes.v1',
      messages: [
        {
          key: 'default',
          value: JSON.stringify({
            id: randomUUID(),
            tenant: 'default',
            tags: ['product:1'],
            reason: 'policy changed',
            occurredAt: new Date().toISOString(),
          }),
        },
      ],
    });
    await producer.disconnect();

    await eventually(async () => expect(await redis.exists(`strata:e:{default}:${returnsId}`)).toBe(0));
    for (const gw of [gatewayA, gatewayB]) {
      await eventually(async () =>
        expect((await lookup(gw, 'What is the return window for shoes?', 'exact')).body.hit).toBe(false),
      );
      expect((await lookup(gw, 'what is the return window for shoes', 'semantic')).body.hit).toBe(false);
      // Right after the burst above, a lookup that reaches the cache service can outlast its 750 ms; a purged entry
      // would never come back, so waiting for the hit still tells a kept entry from a purged one.
      await eventually(async () =>
        expect((await lookup(gw, 'Do you ship to Canada?')).body).toMatchObject({
          hit: true,
          response: { answer: 'yes' },
        }),
      );
    }
    expect(await pointsInQdrant(returnsId)).toBe(0);
  });

  it('dead-letters a malformed event with its reason and origin, and applies the next valid one', async () => {
    const dlq = kafka.consumer({ groupId: `e2e-dlq-${randomUUID()}` });
    const dead: {
      reason: string;
      origin: { topic: string; partition: number; offset: string };
      value: string | null;
    }[] = [];
    await dlq.connect();
    await dlq.subscribe({ topic: 'strata.data-changes.v1.dlq', fromBeginning: true });
    await dlq.run({
      eachMessage: ({ message }) => {
        dead.push(JSON.parse(message.value!.toString()));
        return Promise.resolve();
      },
    });

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'strata.data-changes.v1',
      messages: [{ key: 'default', value: '{"not": "an event"' }],
    });
    await producer.send({
      topic: 'strata.data-changes.v1',
      messages: [{ key: 'default', value: JSON.stringify({ id: 'x', tenant: 'default', occurredAt: 'yesterday' }) }],
    });
    await producer.send({
      topic: 'strata.data-changes.v1',
      messages: [
        {
          key: 'default',
          value: JSON.stringify({
            id: randomUUID(),
            tenant: 'default',
            tags: ['product:2'],
            occurredAt: new Date().toISOString(),
          }),
        },
      ],
    });
    await producer.disconnect();

    await eventually(() => expect(dead.length).toBeGreaterThanOrEqual(2), 20_000);
    await dlq.disconnect();
    expect(dead[0].origin.topic).toBe('strata.data-changes.v1');
    expect(dead[0].reason).toMatch(/strata\.data-changes\.v1/);
    expect(dead[1].value).toContain('yesterday');
    for (const gw of [gatewayA, gatewayB]) {
      await eventually(async () => expect((await lookup(gw, 'Do you ship to Canada?')).body.hit).toBe(false));
    }
  });

  it('answers a miss within its timeout while the cache service is down, still serves L1, and hits again after a restart', async () => {
    await http(gatewayA.url, 'POST', '/v1/cache/entries', {
      body: { ...ask('Can I pay by card?'), response: { answer: 'yes' } },
    });
    await http(gatewayA.url, 'POST', '/v1/cache/entries', {
      body: { ...ask('Are gift cards refundable?'), response: { answer: 'no' } },
    });
    await cache.kill();

    const started = Date.now();
    const down = await lookup(gatewayB, 'Can I pay by card?');
    const elapsed = Date.now() - started;
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ hit: false, status: 'miss' });
    expect(elapsed).toBeLessThan(LOOKUP_TIMEOUT_MS + 1_500);
    expect((await lookup(gatewayA, 'Can I pay by card?')).body).toMatchObject({ hit: true, tier: 'l1' });
    // A proxy miss is answered by the upstream, and says it is not stored (no purge ticket: nothing is stored).
    const proxied = await fetch(`${gatewayB.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask('Can I pay by cheque?'), temperature: 0, params: undefined }),
    });
    expect(proxied.status).toBe(200);
    expect(await proxied.json()).toMatchObject({
      choices: [{ message: { content: expect.stringContaining('cheque') } }],
    });
    expect(proxied.headers.get('cache-status')).toBe('Strata; fwd=miss; fwd-status=200');
    expect(proxied.headers.get('x-strata-entry-id')).toBeNull();

    cache = await startService('cache');
    await ready(cache);
    await eventually(
      async () =>
        expect((await lookup(gatewayB, 'Are gift cards refundable?')).body).toMatchObject({ hit: true, tier: 'l2' }),
      40_000,
    );
  });

  it('keeps serving L1 hits and answers misses within its timeout while Kafka itself is down, reporting degraded', async () => {
    expect((await lookup(gatewayA, 'Can I pay by card?')).body).toMatchObject({ hit: true, tier: 'l1' });
    await broker.kill();

    expect((await lookup(gatewayA, 'Can I pay by card?')).body).toMatchObject({ hit: true, tier: 'l1' });
    const started = Date.now();
    const miss = await lookup(gatewayA, 'Is there a store in Lyon?');
    expect(miss.status).toBe(200);
    expect(miss.body).toMatchObject({ hit: false, status: 'miss' });
    expect(Date.now() - started).toBeLessThan(LOOKUP_TIMEOUT_MS + 1_500);
    await eventually(async () => {
      const readiness = await http(gatewayA.url, 'GET', '/health/ready');
      expect(readiness.status).toBe(200);
      expect(readiness.body).toMatchObject({ status: 'degraded', checks: { kafka: { status: 'down' } } });
    });
  });
});
