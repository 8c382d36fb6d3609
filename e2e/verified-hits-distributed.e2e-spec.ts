import { createClient } from 'redis';
import { QdrantTestDouble, type RunningQdrantTestDouble } from '../tools/qdrant-test-double/src';
import { eventually } from './support/eventually';
import { type StrataProcess, distributedEnv, http, startStrataProcess } from './support/strata-process';

/**
 * Feedback in distributed mode: the four services as separate processes with two gateway replicas over Kafka (the
 * test broker), Redis (L2 and the shared hit verdicts) and Qdrant (the test double). A pairing called wrong on one
 * gateway never hits again on either, although both held it in L1.
 */
describe('verified hits across two gateways (distributed, end to end)', () => {
  const REDIS_DB = 12;
  let broker: StrataProcess;
  let qdrant: RunningQdrantTestDouble;
  let services: StrataProcess[] = [];
  let gatewayA: StrataProcess;
  let gatewayB: StrataProcess;
  const redis = createClient({ url: `redis://127.0.0.1:6379/${REDIS_DB}` });

  const ask = (content: string) => ({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content }],
    params: { temperature: 0 },
  });
  const lookup = (gw: StrataProcess, content: string, headers: Record<string, string> = {}) =>
    http(gw.url, 'POST', '/v1/cache/lookup', { body: ask(content), headers });

  beforeAll(async () => {
    await redis.connect();
    await redis.flushDb();
    broker = await startStrataProcess('dist/tools/kafka-test-broker/src/main.js', {}, /listening on (\S+)/);
    qdrant = await QdrantTestDouble.start({ port: 0 });
    const env = {
      ...distributedEnv({ brokers: broker.url, redisDb: REDIS_DB, qdrantUrl: qdrant.url, cacheTimeoutMs: 750 }),
      STRATA_HIT_FEEDBACK: 'true',
    };
    const start = (name: string, extra: Record<string, string> = {}) =>
      startStrataProcess(`dist/apps/${name}/src/main.js`, { ...env, ...extra });
    services = await Promise.all([start('embedding'), start('cache'), start('invalidation')]);
    [gatewayA, gatewayB] = await Promise.all([
      start('gateway', { STRATA_INSTANCE_ID: 'gw-a' }),
      start('gateway', { STRATA_INSTANCE_ID: 'gw-b' }),
    ]);
    for (const p of [...services, gatewayA, gatewayB])
      await eventually(async () => (await http(p.url, 'GET', '/health/ready')).status === 200, 30_000);
  }, 120_000);

  afterAll(async () => {
    for (const p of [gatewayA, gatewayB, ...services.reverse()]) await p?.stop();
    await broker?.stop();
    await qdrant?.stop();
    await redis.flushDb();
    await redis.quit();
  });

  it('blocks a pairing on every gateway once one of them is told it was wrong', async () => {
    const stored = await http(gatewayA.url, 'POST', '/v1/cache/entries', {
      body: { ...ask('What is the return window for shoes?'), response: { answer: '30 days' } },
    });
    expect(stored.status).toBe(201);
    const paraphrase = 'what is the return window for shoes';
    // Both gateways serve the paraphrase, and hold it in L1 afterwards.
    for (const gw of [gatewayA, gatewayB])
      await eventually(async () => {
        expect((await lookup(gw, paraphrase)).body).toMatchObject({ hit: true, id: stored.body.id });
      });
    expect((await lookup(gatewayB, paraphrase, { 'x-request-id': 'req-b-1' })).body).toMatchObject({
      hit: true,
      tier: 'l1',
    });

    const verdict = await http(gatewayB.url, 'POST', '/v1/cache/feedback', {
      body: { requestId: 'req-b-1', verdict: 'wrong' },
    });
    expect(verdict.status).toBe(200);
    expect(verdict.body).toMatchObject({ action: 'blocked', entryId: stored.body.id });

    // Gateway A learns of it through the L1-eviction broadcast and the shared verdicts, and never serves it again.
    await eventually(async () => expect((await lookup(gatewayA, paraphrase)).body).toMatchObject({ hit: false }));
    for (let i = 0; i < 3; i++)
      for (const gw of [gatewayA, gatewayB]) expect((await lookup(gw, paraphrase)).body).toMatchObject({ hit: false });
    expect((await lookup(gatewayA, 'What is the return window for shoes?')).body).toMatchObject({ hit: true });
  });
});
