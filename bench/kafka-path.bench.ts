/**
 * Lookups that hit L2 through the Kafka path, beside an L1 hit and the embedded mode, in one run:
 *
 * - distributed: gateway process → Kafka (the wire-protocol test broker, its own process) → cache service
 *   process → Redis, and the reply back the same way; the gateway runs with `STRATA_L1_MAX_ENTRIES=1` and
 *   the lookups cycle through many stored entries, so each one misses L1 and is answered from L2;
 * - distributed L1: the same gateway asked for one key over and over (answered from its L1, no Kafka);
 * - embedded: `node dist/apps/gateway/src/main.js` with no STRATA_MODE (all four services in one process,
 *   in-memory L2), again with `STRATA_L1_MAX_ENTRIES=1` and cycling keys, and its L1 hit.
 *
 * - kafkajs: the bare reference on the same broker — a plain kafkajs request-reply (one request topic, one reply
 *   topic with the same partition count, default kafkajs settings, a lookup-sized request and an L2-hit-sized
 *   reply) between a requester in this process and a responder in a process of its own, as gateway and cache service
 *   are; kafkajs-one-process: the same with the responder in this process too (one event loop for both ends);
 * - embedded-redis: the embedded gateway on the same Redis (`REDIS_URL`), so the L2 lookup is the one the cache
 *   service does, only without Kafka: the distributed p50 minus this p50 is the Kafka part of a lookup.
 *
 * p50/p99 latency and throughput at each concurrency, every phase bounded by a request count and a time
 * budget, plus the CPU each process spent per request (the machine has 2 cores: at high concurrency the
 * throughput is what the CPU allows). See bench/README.md for how to run it and for numbers.
 *
 * Usage: node dist/bench/kafka-path.bench.js [--modes kafkajs,kafkajs-one-process,distributed,embedded-redis,embedded]
 *          [--concurrency 1,16]
 *          [--brokers host:port (an external Kafka, or KAFKA_BROKERS; default: the test broker in a process of its own)]
 *          [--entries 2000] [--requests 3000] [--seconds 15] [--redis-url redis://127.0.0.1:6379] [--redis-db 13]
 *          [--partitions N] [--json path] [--cpu-prof DIR (V8 CPU profiles of the service processes)]
 *          [--rounds 6 (turns of the interleaved plain / distributed / embedded-redis comparison; 1: one after another)]
 */
import { writeFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { argument, listArgument, numberArgument } from './support/args';
import { DEFAULT_NAMESPACE, entryIdFromKey, entryTag, fingerprintRequest } from '@strata/cache-core';
import { BENCH_MODEL, SAMPLE_RESPONSE } from './support/fixtures';
import { CpuMeter, ownCpuMs, processCpuMs } from './support/cpu';
import { JsonClient, type LoadResult, forEachConcurrently, runLoad } from './support/http-load';
import {
  type BenchProcess,
  cpuProfileArgs,
  startKafkaTestBroker,
  startProcess,
  startStrataApp,
  stopAll,
  waitUntilReady,
} from './support/processes';
import { type RedisConnection, RedisExactStore } from '@strata/store-redis';
import { DEFAULT_REDIS_URL, deleteKeys, openRedis, redisPid, redisUrlWithDb, requireNoKeys } from './support/redis';
import { machineLoad, ms, msSince, summarize, thousands } from './support/stats';

const WARMUP = 200;
/** A lookup answered by Kafka must not time out into a miss: the bench measures hits, so the deadline is generous. */
const LOOKUP_TIMEOUT_MS = 2_000;
/** What the services write in Redis (all under Strata's default key prefix). */
const STRATA_PREFIX = 'strata:';

interface Row extends LoadResult {
  readonly mode: 'kafkajs' | 'kafkajs-one-process' | 'distributed' | 'embedded-redis' | 'embedded';
  readonly path: string;
  /** CPU milliseconds per request, by process (`client` is this bench, the load generator). */
  readonly cpuMsPerRequest: Readonly<Record<string, number>>;
}

const question = (i: number) => `Bench question ${i}: what is the return policy for order ${i * 7919}?`;
const lookupBody = (i: number) =>
  JSON.stringify({
    model: BENCH_MODEL,
    messages: [{ role: 'user', content: question(i) }],
    params: { temperature: 0 },
  });

/** The tier that answered (`l1`, `l2`, `l3`), `miss`, or the HTTP status when it was not 200. */
function outcomeOf(status: number, body: string): string {
  if (status !== 200) return `http ${status}`;
  return /"tier":"(l\d)"/.exec(body)?.[1] ?? 'miss';
}

/** Embedded: through the HTTP API (the store path: embed, L2 and L3 in memory). */
async function seedOverHttp(client: JsonClient, entries: number): Promise<void> {
  const started = Date.now();
  await forEachConcurrently(entries, 16, async (i) => {
    const reply = await client.post('/v1/cache/entries', {
      model: BENCH_MODEL,
      messages: [{ role: 'user', content: question(i) }],
      params: { temperature: 0 },
      response: SAMPLE_RESPONSE,
      tags: ['bench:kafka-path'],
    });
    if (reply.status !== 201 || !reply.body.includes('"l2":true'))
      throw new Error(`store ${i} failed: ${reply.status} ${reply.body}`);
  });
  console.error(`  seeded ${entries} entries over HTTP in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Distributed: straight into Redis with the cache service's own adapter, keyed exactly as the gateway keys
 * a request of the default tenant and namespace (a store over Kafka would also embed, which only slows
 * seeding down; lookups that hit L2 never look at L3).
 */
async function seedRedis(store: RedisExactStore, entries: number, generation: number): Promise<void> {
  const started = Date.now();
  const now = Date.now();
  await forEachConcurrently(entries, 32, async (i) => {
    const fp = fingerprintRequest({
      tenant: 'default',
      namespace: DEFAULT_NAMESPACE,
      namespaceVersion: 1,
      model: BENCH_MODEL,
      messages: [{ role: 'user', content: question(i) }],
      params: { temperature: 0 },
    });
    const id = entryIdFromKey(fp.exactKey);
    await store.put({
      id,
      tenant: 'default',
      namespace: DEFAULT_NAMESPACE,
      namespaceVersion: 1,
      model: BENCH_MODEL,
      exactKey: fp.exactKey,
      contextHash: fp.contextHash,
      query: fp.query,
      response: SAMPLE_RESPONSE,
      tags: ['bench:kafka-path', entryTag(id)],
      createdAt: now,
      expiresAt: now + 86_400_000,
      generation,
    });
  });
  console.error(`  seeded ${entries} entries into Redis in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The tenant's purge generation, from the ticket of a lookup that misses: entries are seeded with it, as a store
 * after that miss would be (an entry without one predates the generations' epoch and is never served).
 */
async function currentTicket(client: JsonClient): Promise<number> {
  // Right after start-up a distributed gateway may not have its reply partitions yet: such a lookup misses without one.
  for (let attempt = 0; attempt < 60; attempt++) {
    // Exact only: a semantic lookup would wait for an embedding service these phases do not run.
    const reply = await client.send(
      'POST',
      '/v1/cache/lookup',
      JSON.stringify({ ...JSON.parse(lookupBody(-1 - attempt)), mode: 'exact' }),
    );
    const ticket = /"ticket":(\d+)/.exec(reply.body)?.[1];
    if (ticket !== undefined) return Number(ticket);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('no lookup answered a miss with a ticket');
}

interface Target {
  readonly mode: Row['mode'];
  readonly client: JsonClient;
  readonly cpu: CpuMeter;
  /** Label of the path a cycling-keys lookup takes. */
  readonly l2Path: string;
}

async function measure(
  target: Target,
  entries: number,
  concurrencies: number[],
  maxRequests: number,
  maxSeconds: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  const bodies = Array.from({ length: entries }, (_, i) => lookupBody(i));
  // The first lookups warm the path up (connections, JIT): on a loaded machine they can time out into a miss.
  let probe = await target.client.send('POST', '/v1/cache/lookup', bodies[0]);
  for (let attempt = 1; attempt < 10 && outcomeOf(probe.status, probe.body) !== 'l2'; attempt++)
    probe = await target.client.send('POST', '/v1/cache/lookup', bodies[attempt]);
  if (outcomeOf(probe.status, probe.body) !== 'l2')
    throw new Error(`a stored entry was not an L2 hit: ${probe.status} ${probe.body}`);
  const phases: { path: string; key: (i: number) => string }[] = [
    // Keys cycle through all stored entries; L1 holds one entry, so each lookup is answered by L2.
    { path: target.l2Path, key: (i) => bodies[i % entries] },
    // One key over and over: after the first, L1 answers.
    { path: 'L1 hit (gateway memory)', key: () => bodies[0] },
  ];
  for (const phase of phases) {
    for (const concurrency of concurrencies) {
      target.cpu.begin();
      const result = await runLoad({
        concurrency,
        maxRequests,
        maxSeconds,
        warmup: WARMUP,
        send: async (i) => {
          const reply = await target.client.send('POST', '/v1/cache/lookup', phase.key(i));
          return outcomeOf(reply.status, reply.body);
        },
      });
      const cpu = target.cpu.end();
      // Warm-up requests also used CPU: charge the meter's interval to every request it covered.
      const perRequest = Object.fromEntries(
        Object.entries(cpu).map(([name, used]) => [name, used / (result.requests + WARMUP)]),
      );
      const row: Row = { mode: target.mode, path: phase.path, ...result, cpuMsPerRequest: perRequest };
      rows.push(row);
      printRow(row);
    }
  }
  return rows;
}

function printHeader(): void {
  console.log(
    '| mode | path | concurrency | requests | p50 ms | p99 ms | max ms | req/s | answered by | CPU ms/request |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---|---|');
}

function printRow(r: Row): void {
  const outcomes = Object.entries(r.outcomes)
    .map(([k, v]) => `${k} ${thousands(v)}`)
    .join(', ');
  const cpu = Object.entries(r.cpuMsPerRequest)
    .map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(2) : '?'}`)
    .join(', ');
  console.log(
    `| ${r.mode} | ${r.path} | ${r.concurrency} | ${thousands(r.requests)} | ${ms(r.latency.p50Ms)} | ${ms(r.latency.p99Ms)} | ` +
      `${ms(r.latency.maxMs)} | ${thousands(r.requestsPerSecond)} | ${outcomes} | ${cpu} |`,
  );
}

/** The broker every Kafka phase uses: `--brokers`, or the test broker in a process of its own (then its CPU is metered). */
interface Broker {
  readonly url: string;
  readonly process?: BenchProcess;
}

/** A running request path, ready for load: its request (a cycling-keys L2 lookup) and the CPU of its processes. */
interface Contender {
  readonly mode: Row['mode'];
  readonly l2Path: string;
  readonly cpu: CpuMeter;
  /** Sends lookup `i` (the plain request-reply: request `i`) and returns what answered it. */
  readonly send: (i: number) => Promise<string>;
  readonly close: () => Promise<void>;
}

/** Cycling keys over the stored entries: with one L1 entry, each lookup is answered by L2. */
function l2Lookups(client: JsonClient, entries: number): (i: number) => Promise<string> {
  const bodies = Array.from({ length: entries }, (_, i) => lookupBody(i));
  return async (i) => {
    const reply = await client.send('POST', '/v1/cache/lookup', bodies[i % entries]);
    return outcomeOf(reply.status, reply.body);
  };
}

/** The distributed stack: cache service and gateway processes on `broker` and `redisUrl`, its entries seeded. */
async function openDistributed(
  options: Options,
  broker: Broker,
  redis: RedisConnection,
  redisUrl: string,
): Promise<Contender & Target> {
  let cache: BenchProcess | undefined;
  let gateway: BenchProcess | undefined;
  let client: JsonClient | undefined;
  try {
    const env = {
      STRATA_MODE: 'distributed',
      KAFKA_BROKERS: broker.url,
      REDIS_URL: redisUrl,
      HEALTH_PORT: '0',
      STRATA_CACHE_TIMEOUT_MS: String(LOOKUP_TIMEOUT_MS),
      ...(options.partitions === undefined ? {} : { KAFKA_TOPIC_PARTITIONS: String(options.partitions) }),
    };
    const nodeArgs = cpuProfileArgs(options.cpuProfileDir);
    [cache, gateway] = await Promise.all([
      startStrataApp('cache', env, { nodeArgs }),
      startStrataApp('gateway', { ...env, STRATA_L1_MAX_ENTRIES: '1', STRATA_INSTANCE_ID: 'bench-gw' }, { nodeArgs }),
    ]);
    for (const p of [cache, gateway]) await waitUntilReady(p);
    client = new JsonClient(gateway.url);
    await seedRedis(new RedisExactStore(redis), options.entries, await currentTicket(client));
    const redisProcess = await redisPid(redis);
    const [gatewayPid, cachePid] = [gateway.pid, cache.pid];
    const cpu = new CpuMeter(
      new Map<string, () => number>([
        ['gateway', () => processCpuMs(gatewayPid)],
        ...(broker.process ? [['broker', () => processCpuMs(broker.process!.pid)] as [string, () => number]] : []),
        ['cache', () => processCpuMs(cachePid)],
        ['redis', () => processCpuMs(redisProcess)],
        ['client', ownCpuMs],
      ]),
    );
    const [opened, started] = [client, [gateway, cache]];
    return {
      mode: 'distributed',
      client: opened,
      cpu,
      l2Path: 'L2 via Kafka (gateway → broker → cache → Redis)',
      send: l2Lookups(opened, options.entries),
      close: async () => {
        opened.close();
        await stopAll(started);
      },
    };
  } catch (error) {
    client?.close();
    await stopAll([gateway, cache]);
    throw error;
  }
}

async function distributed(options: Options, broker: Broker): Promise<Row[]> {
  const redisUrl = redisUrlWithDb(options.redisUrl, options.redisDb);
  const redis = await openFreeRedis(options);
  let contender: (Contender & Target) | undefined;
  try {
    contender = await openDistributed(options, broker, redis, redisUrl);
    return await measure(contender, options.entries, options.concurrencies, options.requests, options.seconds);
  } finally {
    await contender?.close();
    await deleteKeys(redis, STRATA_PREFIX);
    await redis.close();
  }
}

/**
 * Embedded on Redis: the same L2 lookup as the cache service's, called directly (no Kafka). Its entries are seeded
 * unless `seeded` (by the distributed stack, on the same database: both read the same entries).
 */
async function openEmbeddedRedis(
  options: Options,
  redis: RedisConnection,
  redisUrl: string,
  seeded = false,
): Promise<Contender & Target> {
  let gateway: BenchProcess | undefined;
  let client: JsonClient | undefined;
  try {
    gateway = await startProcess({
      name: 'gateway (embedded, Redis)',
      entry: 'dist/apps/gateway/src/main.js',
      env: { STRATA_L1_MAX_ENTRIES: '1', REDIS_URL: redisUrl, STRATA_CACHE_TIMEOUT_MS: String(LOOKUP_TIMEOUT_MS) },
      nodeArgs: cpuProfileArgs(options.cpuProfileDir),
    });
    await waitUntilReady(gateway);
    client = new JsonClient(gateway.url);
    if (!seeded) await seedRedis(new RedisExactStore(redis), options.entries, await currentTicket(client));
    const pid = gateway.pid;
    const redisProcess = await redisPid(redis);
    const cpu = new CpuMeter(
      new Map<string, () => number>([
        ['gateway', () => processCpuMs(pid)],
        ['redis', () => processCpuMs(redisProcess)],
        ['client', ownCpuMs],
      ]),
    );
    const [opened, started] = [client, gateway];
    return {
      mode: 'embedded-redis',
      client: opened,
      cpu,
      l2Path: 'L2 direct (gateway → cache use case → Redis)',
      send: l2Lookups(opened, options.entries),
      close: async () => {
        opened.close();
        await started.stop();
      },
    };
  } catch (error) {
    client?.close();
    await gateway?.stop();
    throw error;
  }
}

async function embeddedRedis(options: Options): Promise<Row[]> {
  const redisUrl = redisUrlWithDb(options.redisUrl, options.redisDb);
  const redis = await openFreeRedis(options);
  let contender: (Contender & Target) | undefined;
  try {
    contender = await openEmbeddedRedis(options, redis, redisUrl);
    return await measure(contender, options.entries, options.concurrencies, options.requests, options.seconds);
  } finally {
    await contender?.close();
    await deleteKeys(redis, STRATA_PREFIX);
    await redis.close();
  }
}

/** The bench's Redis database (`--redis-db`), refused (and closed) if it holds Strata keys already. */
async function openFreeRedis(options: Options): Promise<RedisConnection> {
  const redis = await openRedis(redisUrlWithDb(options.redisUrl, options.redisDb));
  try {
    await requireNoKeys(redis, STRATA_PREFIX, `database ${options.redisDb} is in use: pick a free one with --redis-db`);
    return redis;
  } catch (error) {
    await redis.close(); // else the open connection keeps the bench from exiting
    throw error;
  }
}

/** A lookup request and an L2 hit's reply as they travel (sizes as in Strata's own messages). */
const RR_REQUEST = JSON.stringify({
  tenant: 'default',
  namespace: DEFAULT_NAMESPACE,
  model: BENCH_MODEL,
  exactKey: 'a'.repeat(64),
  contextHash: 'b'.repeat(64),
  query: question(1),
  mode: 'auto',
  threshold: 0.95,
});
const RR_REPLY = JSON.stringify({
  hit: true,
  tier: 'l2',
  entry: {
    id: '5a1c0000-0000-4000-8000-000000000000',
    tenant: 'default',
    namespace: DEFAULT_NAMESPACE,
    namespaceVersion: 1,
    model: BENCH_MODEL,
    exactKey: 'a'.repeat(64),
    contextHash: 'b'.repeat(64),
    query: question(1),
    response: SAMPLE_RESPONSE,
    tags: ['bench:kafka-path'],
    createdAt: 1,
    expiresAt: 2,
  },
});

/**
 * The plain responder: parses each request and produces the reply to the partition its headers name (default
 * kafkajs settings). Resolves once its group is joined, with what stops it.
 */
async function runPlainResponder(brokerUrl: string, topic: string): Promise<() => Promise<void>> {
  const kafka = new Kafka({ clientId: 'bench-rr-responder', brokers: [brokerUrl], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}-server` });
  const stop = async () => {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  };
  try {
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topic });
    await consumer.run({
      eachMessage: async ({ message }) => {
        JSON.parse(message.value?.toString() ?? 'null');
        const headers = message.headers ?? {};
        await producer.send({
          topic: `${topic}.reply`,
          messages: [
            { value: RR_REPLY, partition: Number(String(headers.partition)), headers: { id: String(headers.id) } },
          ],
        });
      },
    });
    await joined;
    return stop;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `--plain-responder host:port topic`: this file run as the plain responder's own process (see {@link openPlainKafkajs}). */
async function plainResponderProcess(brokerUrl: string, topic: string): Promise<void> {
  const stop = await runPlainResponder(brokerUrl, topic);
  console.log(`plain responder ready on ${topic}`);
  await new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await stop();
}

/**
 * The bare reference: a plain kafkajs request-reply on the same broker, default settings, one request topic and
 * one reply topic with the services' partition count. The requester sends the request with a correlation id and
 * its reply partition in headers; the responder parses it and produces the reply there; the requester parses it.
 * The responder runs in a process of its own, as the cache service does (`kafkajs`), or in this one beside the
 * requester (`kafkajs-one-process`: one event loop for both ends, no process to wake between the hops).
 */
async function openPlainKafkajs(options: Options, broker: Broker, ownProcess: boolean): Promise<Contender> {
  const kafka = new Kafka({ clientId: 'bench-rr', brokers: [broker.url], logLevel: logLevel.NOTHING });
  const topic = `bench.rr.${process.pid}.${Date.now()}.${ownProcess ? 'p2' : 'p1'}`;
  const replyTopic = `${topic}.reply`;
  const partitions = options.partitions ?? 6;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [topic, replyTopic].map((name) => ({ topic: name, numPartitions: partitions, replicationFactor: 1 })),
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer();
  const requester = kafka.consumer({ groupId: `${topic}-client` });
  let responder: BenchProcess | undefined;
  let stopResponder: (() => Promise<void>) | undefined;
  const close = async () => {
    await Promise.allSettled([requester.disconnect(), producer.disconnect(), stopResponder?.(), responder?.stop()]);
  };
  const waiting = new Map<string, () => void>();
  let replyPartition: number | undefined;
  requester.on(requester.events.GROUP_JOIN, (event) => {
    replyPartition = Math.min(...(event.payload.memberAssignment[replyTopic] ?? [0]));
  });
  try {
    if (ownProcess)
      responder = await startProcess({
        name: 'plain kafkajs responder',
        entry: 'dist/bench/kafka-path.bench.js',
        args: ['--plain-responder', broker.url, topic],
        ready: /plain responder (ready) on/,
        nodeArgs: cpuProfileArgs(options.cpuProfileDir),
      });
    else stopResponder = await runPlainResponder(broker.url, topic);
    await Promise.all([producer.connect(), requester.connect()]);
    await requester.subscribe({ topic: replyTopic });
    await requester.run({
      // eslint-disable-next-line @typescript-eslint/require-await -- kafkajs takes an async handler
      eachMessage: async ({ message }) => {
        JSON.parse(message.value?.toString() ?? 'null');
        const id = String(message.headers?.id);
        waiting.get(id)?.();
        waiting.delete(id);
      },
    });
    const deadline = Date.now() + 30_000;
    while (replyPartition === undefined) {
      if (Date.now() > deadline) throw new Error('the plain kafkajs requester did not join its group');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await close();
    throw error;
  }
  const responderPid = responder?.pid;
  const cpu = new CpuMeter(
    new Map<string, () => number>([
      ...(broker.process ? [['broker', () => processCpuMs(broker.process!.pid)] as [string, () => number]] : []),
      ...(responderPid === undefined
        ? [['client (requester + responder)', ownCpuMs] as [string, () => number]]
        : [
            ['responder', () => processCpuMs(responderPid)] as [string, () => number],
            ['client (requester)', ownCpuMs] as [string, () => number],
          ]),
    ]),
  );
  let sequence = 0;
  const send = () =>
    new Promise<string>((resolve) => {
      const id = String(sequence++);
      const timer = setTimeout(() => {
        waiting.delete(id);
        resolve('timeout');
      }, LOOKUP_TIMEOUT_MS);
      waiting.set(id, () => {
        clearTimeout(timer);
        resolve('reply');
      });
      producer
        .send({ topic, messages: [{ value: RR_REQUEST, headers: { id, partition: String(replyPartition) } }] })
        .catch(() => resolve('send failed'));
    });
  return {
    mode: ownProcess ? 'kafkajs' : 'kafkajs-one-process',
    l2Path: ownProcess
      ? 'plain kafkajs request-reply (same broker, responder in its own process)'
      : 'plain kafkajs request-reply (same broker, requester and responder in one process)',
    cpu,
    send,
    close,
  };
}

async function plainKafkajs(options: Options, broker: Broker, ownProcess: boolean): Promise<Row[]> {
  const contender = await openPlainKafkajs(options, broker, ownProcess);
  try {
    const rows: Row[] = [];
    for (const concurrency of options.concurrencies) {
      contender.cpu.begin();
      const result = await runLoad({
        concurrency,
        maxRequests: options.requests,
        maxSeconds: options.seconds,
        warmup: WARMUP,
        send: contender.send,
      });
      const used = contender.cpu.end();
      const perRequest = Object.fromEntries(
        Object.entries(used).map(([name, ms]) => [name, ms / (result.requests + WARMUP)]),
      );
      const row: Row = { mode: contender.mode, path: contender.l2Path, ...result, cpuMsPerRequest: perRequest };
      rows.push(row);
      printRow(row);
    }
    return rows;
  } finally {
    await contender.close();
  }
}

/** The modes whose L2 lookups are compared with each other; measured interleaved when `distributed`, `embedded-redis` and a plain one run. */
const L2_MODES: readonly Row['mode'][] = ['kafkajs', 'kafkajs-one-process', 'distributed', 'embedded-redis'];
/** The plain kafkajs request-replies, each a reference for the Kafka part of a lookup. */
const PLAIN_MODES: readonly Row['mode'][] = ['kafkajs', 'kafkajs-one-process'];

/**
 * The plain request-reply, the distributed L2 lookup and the embedded one on the same Redis entries, all running at
 * once and measured in turns: each concurrency is `rounds` rounds, and each round gives every contender a slice of
 * the request and time budget, in a rotating order. On a machine shared with other jobs, the three see the same
 * neighbours, so the Kafka part of a lookup (distributed − embedded-redis) and the plain request-reply it is
 * compared with come from the same minutes. CPU per request is each contender's processes over its own slices.
 */
async function interleavedL2(options: Options, broker: Broker): Promise<Row[]> {
  const redisUrl = redisUrlWithDb(options.redisUrl, options.redisDb);
  const redis = await openFreeRedis(options);
  const contenders: Contender[] = [];
  try {
    for (const mode of PLAIN_MODES)
      if (options.modes.includes(mode)) contenders.push(await openPlainKafkajs(options, broker, mode === 'kafkajs'));
    contenders.push(await openDistributed(options, broker, redis, redisUrl));
    contenders.push(await openEmbeddedRedis(options, redis, redisUrl, true));
    const rows: Row[] = [];
    for (const concurrency of options.concurrencies) {
      const slice = {
        requests: Math.ceil(options.requests / options.rounds),
        seconds: options.seconds / options.rounds,
      };
      const runs = contenders.map((contender) => {
        const latencies: number[] = [];
        const outcomes: Record<string, number> = {};
        const cpu: Record<string, number> = {};
        return { contender, latencies, outcomes, seconds: 0, cpu };
      });
      let next = 0;
      for (const { contender } of runs)
        await runLoad({ concurrency, maxRequests: WARMUP, maxSeconds: 30, send: contender.send });
      for (let round = 0; round < options.rounds; round++) {
        for (let k = 0; k < runs.length; k++) {
          const run = runs[(round + k) % runs.length];
          const limit = next + slice.requests;
          const deadline = Date.now() + slice.seconds * 1000;
          const worker = async () => {
            while (next < limit && Date.now() < deadline) {
              const i = next++;
              const started = process.hrtime.bigint();
              const outcome = await run.contender.send(i).catch((error: unknown) => `error ${String(error)}`);
              run.latencies.push(msSince(started));
              run.outcomes[outcome] = (run.outcomes[outcome] ?? 0) + 1;
            }
          };
          run.contender.cpu.begin();
          const started = process.hrtime.bigint();
          await Promise.all(Array.from({ length: concurrency }, worker));
          run.seconds += msSince(started) / 1000;
          for (const [name, used] of Object.entries(run.contender.cpu.end()))
            run.cpu[name] = (run.cpu[name] ?? 0) + used;
          next = limit;
        }
      }
      for (const run of runs) {
        const requests = run.latencies.length;
        const row: Row = {
          mode: run.contender.mode,
          path: run.contender.l2Path,
          concurrency,
          requests,
          seconds: run.seconds,
          requestsPerSecond: requests / run.seconds,
          latency: summarize(run.latencies),
          outcomes: run.outcomes,
          cpuMsPerRequest: Object.fromEntries(Object.entries(run.cpu).map(([name, used]) => [name, used / requests])),
        };
        rows.push(row);
        printRow(row);
      }
    }
    return rows;
  } finally {
    for (const contender of contenders.reverse()) await contender.close();
    await deleteKeys(redis, STRATA_PREFIX);
    await redis.close();
  }
}

/** At each concurrency: the Kafka part of a lookup (distributed − embedded on Redis, p50) against each plain kafkajs p50. */
function printKafkaPart(rows: readonly Row[]): void {
  const p50 = (mode: Row['mode'], concurrency: number) =>
    rows.find((r) => r.mode === mode && r.concurrency === concurrency && !r.path.startsWith('L1'))?.latency.p50Ms;
  for (const concurrency of new Set(rows.map((r) => r.concurrency))) {
    const [viaKafka, direct] = [p50('distributed', concurrency), p50('embedded-redis', concurrency)];
    if (viaKafka === undefined || direct === undefined) continue;
    const part = viaKafka - direct;
    const against = PLAIN_MODES.flatMap((mode) => {
      const plain = p50(mode, concurrency);
      return plain === undefined ? [] : [`${mode} ${ms(plain)} ms: ratio ${(part / plain).toFixed(2)}`];
    });
    if (against.length === 0) continue;
    console.log(
      `concurrency ${concurrency}: Kafka part of a lookup ${ms(part)} ms (p50 ${ms(viaKafka)} − ${ms(direct)}); ` +
        `plain kafkajs request-reply: ${against.join('; ')}`,
    );
  }
}

async function embedded(options: Options): Promise<Row[]> {
  let gateway: BenchProcess | undefined;
  let client: JsonClient | undefined;
  try {
    gateway = await startProcess({
      name: 'gateway (embedded)',
      entry: 'dist/apps/gateway/src/main.js',
      env: { STRATA_L1_MAX_ENTRIES: '1' },
      nodeArgs: cpuProfileArgs(options.cpuProfileDir),
    });
    await waitUntilReady(gateway);
    client = new JsonClient(gateway.url);
    await seedOverHttp(client, options.entries);
    const pid = gateway.pid;
    const cpu = new CpuMeter(
      new Map<string, () => number>([
        ['gateway', () => processCpuMs(pid)],
        ['client', ownCpuMs],
      ]),
    );
    return await measure(
      { mode: 'embedded', client, cpu, l2Path: 'L2 in process (direct call → memory)' },
      options.entries,
      options.concurrencies,
      options.requests,
      options.seconds,
    );
  } finally {
    client?.close();
    await gateway?.stop();
  }
}

interface Options {
  /** `--cpu-prof DIR`: every service process writes a V8 CPU profile there when it stops. */
  readonly cpuProfileDir: string | undefined;
  /** `--brokers host:port[,…]` or KAFKA_BROKERS: an external Kafka for every Kafka phase (default: the test broker, started here). */
  readonly brokers: string | undefined;
  /** `--partitions N`: partitions of every topic the services create (KAFKA_TOPIC_PARTITIONS; default the config's, 6). */
  readonly partitions: number | undefined;
  readonly modes: string[];
  readonly concurrencies: number[];
  readonly entries: number;
  readonly requests: number;
  readonly seconds: number;
  readonly redisUrl: string;
  readonly redisDb: number;
  /** `--rounds N`: turns of the interleaved L2 comparison (1: the modes one after the other, each with its L1 phase). */
  readonly rounds: number;
}

async function main(): Promise<void> {
  const responderOf = argument('plain-responder');
  if (responderOf !== undefined)
    return plainResponderProcess(responderOf, process.argv[process.argv.indexOf(responderOf) + 1]);
  const options: Options = {
    cpuProfileDir: argument('cpu-prof'),
    // Like the services, the bench takes KAFKA_BROKERS from its environment (`--brokers` wins).
    brokers: argument('brokers') ?? (process.env.KAFKA_BROKERS || undefined),
    partitions: argument('partitions') === undefined ? undefined : numberArgument('partitions', 6),
    modes: listArgument('modes', ['kafkajs', 'distributed', 'embedded-redis', 'embedded']),
    concurrencies: listArgument('concurrency', ['1', '16']).map(Number),
    entries: numberArgument('entries', 2_000),
    requests: numberArgument('requests', 3_000),
    seconds: numberArgument('seconds', 15),
    redisUrl: argument('redis-url') ?? DEFAULT_REDIS_URL,
    redisDb: numberArgument('redis-db', 13),
    rounds: numberArgument('rounds', 6),
  };
  const started = Date.now();
  console.log(`Kafka-path lookups vs L1 and embedded; node ${process.version}; ${machineLoad()}`);
  console.log(
    `${options.entries} stored entries of ~${JSON.stringify(SAMPLE_RESPONSE).length} B; each phase ≤ ${options.requests} requests or ${options.seconds} s after ${WARMUP} warm-up requests\n`,
  );
  printHeader();
  const rows: Row[] = [];
  const needsKafka = options.modes.some((mode) => mode === 'distributed' || PLAIN_MODES.includes(mode as Row['mode']));
  const ownBroker = needsKafka && options.brokers === undefined ? await startKafkaTestBroker() : undefined;
  const broker: Broker = ownBroker ? { url: ownBroker.url, process: ownBroker } : { url: options.brokers ?? '' };
  // With the L2 modes, they are measured at once, in turns (their L1 phases are left out: see --rounds 1).
  const interleave =
    options.rounds > 1 &&
    options.modes.includes('distributed') &&
    options.modes.includes('embedded-redis') &&
    PLAIN_MODES.some((mode) => options.modes.includes(mode));
  try {
    if (interleave) rows.push(...(await interleavedL2(options, broker)));
    for (const mode of options.modes) {
      if (interleave && L2_MODES.includes(mode as Row['mode'])) continue;
      if (PLAIN_MODES.includes(mode as Row['mode']))
        rows.push(...(await plainKafkajs(options, broker, mode === 'kafkajs')));
      else if (mode === 'distributed') rows.push(...(await distributed(options, broker)));
      else if (mode === 'embedded-redis') rows.push(...(await embeddedRedis(options)));
      else if (mode === 'embedded') rows.push(...(await embedded(options)));
      else throw new Error(`unknown mode "${mode}" (${[...L2_MODES, 'embedded'].join(', ')})`);
    }
  } finally {
    await ownBroker?.stop();
  }
  console.log('');
  printKafkaPart(rows);
  console.log(`\nwhole run ${((Date.now() - started) / 1000).toFixed(0)} s; ${machineLoad()}`);
  const json = argument('json');
  if (json)
    writeFileSync(json, `${JSON.stringify({ bench: 'kafka-path', node: process.version, options, rows }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
