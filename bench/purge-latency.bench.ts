/**
 * Event → purged latency for purges of 1, 1 000 and 100 000 tagged entries, in one run:
 *
 * - distributed: a data-change event published with plain kafkajs on `strata.data-changes.v1`
 *   (`{id, tenant, tags, occurredAt}`, keyed by tenant) to the Kafka test broker; the invalidation service
 *   process applies it through the cache service process (L3 in the Qdrant REST test double, its own
 *   process, then L2 in Redis) and publishes the L1-eviction broadcast. Entries are seeded straight into
 *   Redis (`RedisExactStore.put`) and Qdrant (`QdrantVectorIndex.upsert`), the adapters the cache service
 *   itself uses. `--l3 memory` runs the cache service with its in-memory L3 instead (nothing seeded there).
 * - embedded: `POST /v1/invalidations` to one embedded process (all services, in-memory L2/L3 and L1),
 *   entries seeded through its HTTP API (`POST /v1/cache/entries`, concurrently).
 *
 * A purge is confirmed by the invalidation service's audit log line for the event (written after every
 * tier confirmed and the broadcast was published; it carries the service's own `latencyMs`, which is
 * what `strata_invalidation_event_to_purge_seconds` observes). The bench also times publish → audit line
 * on its own clock, and checks the counts and that the entries are gone from Redis while a set of
 * untagged survivors stays. Entries of each size are seeded just before that size is purged.
 *
 * Usage: node dist/bench/purge-latency.bench.js [--modes distributed,embedded] [--sizes 1,1000,100000]
 *          [--repeats 20,5,1] [--l3 qdrant-double|memory] [--redis-url redis://127.0.0.1:6379] [--redis-db 14]
 *          [--json path]
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type CacheEntry } from '@strata/cache-core';
import { RedisExactStore } from '@strata/store-redis';
import { QdrantVectorIndex } from '@strata/store-qdrant';
import { Kafka, logLevel } from 'kafkajs';
import { argument, listArgument, numberArgument } from './support/args';
import { BENCH_MODEL, SAMPLE_RESPONSE, benchEntry } from './support/fixtures';
import { JsonClient, forEachConcurrently } from './support/http-load';
import {
  type BenchProcess,
  startKafkaTestBroker,
  startProcess,
  startQdrantTestDouble,
  startStrataApp,
  stopAll,
  waitUntilReady,
} from './support/processes';
import { DEFAULT_REDIS_URL, deleteKeys, openRedis, redisUrlWithDb, requireNoKeys } from './support/redis';
import { machineLoad, ms, summarize, thousands } from './support/stats';

const TENANT = 'bench';
const DATA_CHANGES_TOPIC = 'strata.data-changes.v1';
const STRATA_PREFIX = 'strata:';
const SURVIVORS = 1_000;
/** L3 collection model and dimension for seeded vectors (the local model's). */
const VECTOR_MODEL = 'glove-wiki-100d';
const DIMENSION = 100;
const PURGE_TIMEOUT_MS = 120_000;

interface AuditRecord {
  readonly event: string;
  readonly purged: { readonly l2: number; readonly l3: number };
  readonly latencyMs: number;
  readonly applyMs?: number;
}

interface Sample {
  /** Publish → audit line, on the bench's clock. */
  readonly observedMs: number;
  /** The service's own event → purged latency (`occurredAt` → all tiers confirmed). */
  readonly auditMs: number;
  /** Of which applying it (the fan-out, from the handler's start); the rest is delivering the event. */
  readonly applyMs: number;
  readonly purged: AuditRecord['purged'];
}

interface Row {
  readonly mode: string;
  readonly size: number;
  readonly purges: number;
  readonly seedSeconds: number;
  readonly seedPerSecond: number;
  readonly auditP50Ms: number;
  readonly auditP99Ms: number;
  readonly observedP50Ms: number;
  readonly observedP99Ms: number;
  /** p50 of the apply part (fan-out across the tiers) of the service's latency. */
  readonly applyP50Ms: number;
  readonly maxMs: number;
  readonly purgedPerPurge: { readonly l2: number; readonly l3: number };
  readonly problems: string[];
}

/** Collects the invalidation service's audit lines (pino JSON, context `Audit`) by event id. */
class AuditLog {
  private readonly seen = new Map<string, AuditRecord>();
  private readonly waiting = new Map<string, (record: AuditRecord) => void>();

  constructor(process: BenchProcess) {
    process.onLine((line) => {
      if (!line.includes('"Audit"')) return;
      try {
        const outer = JSON.parse(line) as { context?: string; msg?: string };
        if (outer.context !== 'Audit' || outer.msg === undefined) return;
        const record = JSON.parse(outer.msg) as AuditRecord;
        const waiter = this.waiting.get(record.event);
        if (waiter) {
          this.waiting.delete(record.event);
          waiter(record);
        } else this.seen.set(record.event, record);
      } catch {
        // not an audit line after all
      }
    });
  }

  /** Resolves with the audit record of `eventId` (already seen or still to come). */
  next(eventId: string, timeoutMs: number): Promise<AuditRecord> {
    const seen = this.seen.get(eventId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(eventId);
        reject(new Error(`no audit line for event ${eventId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(eventId, (record) => {
        clearTimeout(timer);
        resolve(record);
      });
    });
  }
}

const tagOf = (size: number, group: number) => `bench:purge:${size}:${group}`;

/** Deterministic unit-length vectors; their values do not matter to a purge, only that every entry has one. */
function vectorFor(i: number): Float32Array {
  const v = new Float32Array(DIMENSION);
  let state = (i + 1) * 2654435761;
  let norm = 0;
  for (let d = 0; d < DIMENSION; d++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    v[d] = state / 2147483648 - 0.5;
    norm += v[d] * v[d];
  }
  norm = Math.sqrt(norm);
  for (let d = 0; d < DIMENSION; d++) v[d] /= norm;
  return v;
}

function report(
  mode: string,
  size: number,
  seedSeconds: number,
  seeded: number,
  samples: Sample[],
  problems: string[],
): Row {
  const audit = summarize(samples.map((s) => s.auditMs));
  const observed = summarize(samples.map((s) => s.observedMs));
  const apply = summarize(samples.map((s) => s.applyMs));
  const first = samples[0]?.purged ?? { l2: 0, l3: 0 };
  const row: Row = {
    mode,
    size,
    purges: samples.length,
    seedSeconds,
    seedPerSecond: seeded / seedSeconds,
    auditP50Ms: audit.p50Ms,
    auditP99Ms: audit.p99Ms,
    observedP50Ms: observed.p50Ms,
    observedP99Ms: observed.p99Ms,
    applyP50Ms: apply.p50Ms,
    maxMs: Math.max(audit.maxMs, observed.maxMs),
    purgedPerPurge: first,
    problems,
  };
  console.log(
    `| ${mode} | ${thousands(size)} | ${row.purges} | ${ms(row.auditP50Ms)} | ${ms(row.auditP99Ms)} | ${ms(row.observedP50Ms)} | ` +
      `${ms(row.observedP99Ms)} | ${ms(row.applyP50Ms)} | ${ms(row.maxMs)} | L2 ${thousands(first.l2)}, L3 ${thousands(first.l3)} | ` +
      `${thousands(seeded)} in ${seedSeconds.toFixed(1)} s | ${problems.length === 0 ? 'ok' : problems.join('; ')} |`,
  );
  return row;
}

interface Options {
  readonly modes: string[];
  readonly sizes: number[];
  readonly repeats: number[];
  readonly l3: 'qdrant-double' | 'memory';
  readonly redisUrl: string;
  readonly redisDb: number;
}

async function distributed(options: Options): Promise<Row[]> {
  const redisUrl = redisUrlWithDb(options.redisUrl, options.redisDb);
  const redis = await openRedis(redisUrl);
  await requireNoKeys(redis, STRATA_PREFIX, `database ${options.redisDb} is in use: pick a free one with --redis-db`);
  const store = new RedisExactStore(redis);
  const mode = `distributed (Redis L2, ${options.l3 === 'memory' ? 'in-memory L3, not seeded' : 'Qdrant test double L3'})`;
  let broker: BenchProcess | undefined;
  let qdrant: BenchProcess | undefined;
  let cache: BenchProcess | undefined;
  let invalidation: BenchProcess | undefined;
  const kafka = { producer: undefined as ReturnType<Kafka['producer']> | undefined };
  try {
    [broker, qdrant] = await Promise.all([
      startKafkaTestBroker(),
      options.l3 === 'qdrant-double' ? startQdrantTestDouble() : Promise.resolve(undefined),
    ]);
    const env = {
      STRATA_MODE: 'distributed',
      KAFKA_BROKERS: broker.url,
      REDIS_URL: redisUrl,
      HEALTH_PORT: '0',
      ...(qdrant ? { QDRANT_URL: qdrant.url } : {}),
    };
    [cache, invalidation] = await Promise.all([
      startStrataApp('cache', env),
      startStrataApp('invalidation', { ...env, LOG_LEVEL: 'info' }),
    ]);
    for (const p of [cache, invalidation]) await waitUntilReady(p);
    const audit = new AuditLog(invalidation);
    const vectors = qdrant ? new QdrantVectorIndex({ url: qdrant.url, timeout: 60_000 }) : undefined;
    kafka.producer = new Kafka({
      clientId: 'strata-bench',
      brokers: [broker.url],
      logLevel: logLevel.NOTHING,
    }).producer();
    await kafka.producer.connect();
    const producer = kafka.producer;

    let seedIndex = 0;
    const seed = async (entries: CacheEntry[]) => {
      const from = seedIndex;
      seedIndex += entries.length;
      await forEachConcurrently(entries.length, 64, async (i) => {
        await store.put(entries[i]);
        await vectors?.upsert(VECTOR_MODEL, entries[i], vectorFor(from + i));
      });
    };
    const now = Date.now();
    const survivors = Array.from({ length: SURVIVORS }, (_, i) =>
      benchEntry({ seed: `survivor-${i}`, tenant: TENANT, tags: ['bench:survivor'], now }),
    );
    await seed(survivors);

    const rows: Row[] = [];
    for (const [s, size] of options.sizes.entries()) {
      const repeats = options.repeats[s] ?? 1;
      const groups = Array.from({ length: repeats }, (_, g) =>
        Array.from({ length: size }, (_, i) =>
          benchEntry({ seed: `purge-${size}-${g}-${i}`, tenant: TENANT, tags: [tagOf(size, g)], now: Date.now() }),
        ),
      );
      const seedStarted = Date.now();
      await seed(groups.flat());
      const seedSeconds = (Date.now() - seedStarted) / 1000;
      const samples: Sample[] = [];
      const problems: string[] = [];
      for (let g = 0; g < repeats; g++) {
        const id = randomUUID();
        const started = process.hrtime.bigint();
        const event = { id, tenant: TENANT, tags: [tagOf(size, g)], occurredAt: new Date().toISOString() };
        await producer.send({ topic: DATA_CHANGES_TOPIC, messages: [{ key: TENANT, value: JSON.stringify(event) }] });
        const record = await audit.next(id, PURGE_TIMEOUT_MS);
        const observedMs = Number(process.hrtime.bigint() - started) / 1e6;
        samples.push({
          observedMs,
          auditMs: record.latencyMs,
          applyMs: record.applyMs ?? Number.NaN,
          purged: record.purged,
        });
        if (record.purged.l2 !== size) problems.push(`purge ${g}: L2 purged ${record.purged.l2}, expected ${size}`);
        if (vectors && record.purged.l3 !== size)
          problems.push(`purge ${g}: L3 purged ${record.purged.l3}, expected ${size}`);
        if ((await redis.client.exists(`${STRATA_PREFIX}t:{${TENANT}}:${tagOf(size, g)}`)) !== 0)
          problems.push(`purge ${g}: tag index still in Redis`);
        const sample = groups[g].slice(0, 100).map((e) => `${STRATA_PREFIX}e:{${TENANT}}:${e.id}`);
        if ((await redis.client.exists(sample)) !== 0) problems.push(`purge ${g}: entries still in Redis`);
      }
      rows.push(report(mode, size, seedSeconds, size * repeats, samples, problems));
    }
    const left = await redis.client.exists(survivors.map((e) => `${STRATA_PREFIX}e:{${TENANT}}:${e.id}`));
    const leftL3 = vectors ? await vectors.count() : SURVIVORS;
    if (left !== SURVIVORS || leftL3 !== SURVIVORS)
      console.log(`!! survivors: ${left} of ${SURVIVORS} in Redis, ${leftL3} in L3`);
    else console.log(`(the ${SURVIVORS} untagged survivors are all still in Redis${vectors ? ' and L3' : ''})`);
    return rows;
  } finally {
    await kafka.producer?.disconnect();
    await stopAll([invalidation, cache, qdrant, broker]);
    await deleteKeys(redis, STRATA_PREFIX);
    await redis.close();
  }
}

async function embedded(options: Options): Promise<Row[]> {
  let gateway: BenchProcess | undefined;
  let client: JsonClient | undefined;
  const mode = 'embedded (in-memory L1, L2, L3)';
  try {
    const total = SURVIVORS + options.sizes.reduce((sum, size, s) => sum + size * (options.repeats[s] ?? 1), 0);
    gateway = await startProcess({
      name: 'gateway (embedded)',
      entry: 'dist/apps/gateway/src/main.js',
      env: { LOG_LEVEL: 'info', STRATA_MEMORY_MAX_ENTRIES: String(Math.max(100_000, total * 2)) },
    });
    await waitUntilReady(gateway);
    const audit = new AuditLog(gateway);
    client = new JsonClient(gateway.url, 64);
    const http = client;
    const store = async (content: string, tag: string) => {
      const reply = await http.post('/v1/cache/entries', {
        model: BENCH_MODEL,
        messages: [{ role: 'user', content }],
        params: { temperature: 0 },
        response: SAMPLE_RESPONSE,
        tags: [tag],
      });
      if (reply.status !== 201) throw new Error(`store failed: ${reply.status} ${reply.body}`);
    };
    await forEachConcurrently(SURVIVORS, 32, (i) => store(`survivor question ${i}`, 'bench:survivor'));

    const rows: Row[] = [];
    for (const [s, size] of options.sizes.entries()) {
      const repeats = options.repeats[s] ?? 1;
      const seedStarted = Date.now();
      await forEachConcurrently(size * repeats, 32, (i) =>
        store(`purge question ${size} ${i}`, tagOf(size, Math.floor(i / size))),
      );
      const seedSeconds = (Date.now() - seedStarted) / 1000;
      const samples: Sample[] = [];
      const problems: string[] = [];
      for (let g = 0; g < repeats; g++) {
        const id = randomUUID();
        const started = process.hrtime.bigint();
        const reply = await http.post('/v1/invalidations', { id, tags: [tagOf(size, g)] });
        if (reply.status !== 202) throw new Error(`invalidation failed: ${reply.status} ${reply.body}`);
        const record = await audit.next(id, PURGE_TIMEOUT_MS);
        const observedMs = Number(process.hrtime.bigint() - started) / 1e6;
        samples.push({
          observedMs,
          auditMs: record.latencyMs,
          applyMs: record.applyMs ?? Number.NaN,
          purged: record.purged,
        });
        if (record.purged.l2 !== size) problems.push(`purge ${g}: L2 purged ${record.purged.l2}, expected ${size}`);
        if (record.purged.l3 !== size) problems.push(`purge ${g}: L3 purged ${record.purged.l3}, expected ${size}`);
      }
      rows.push(report(mode, size, seedSeconds, size * repeats, samples, problems));
    }
    const survivor = await http.post('/v1/cache/lookup', {
      model: BENCH_MODEL,
      messages: [{ role: 'user', content: 'survivor question 7' }],
      params: { temperature: 0 },
    });
    console.log(
      survivor.body.includes('"hit":true')
        ? `(untagged survivors are still served)`
        : `!! a survivor is gone: ${survivor.body}`,
    );
    return rows;
  } finally {
    client?.close();
    await gateway?.stop();
  }
}

async function main(): Promise<void> {
  const sizes = listArgument('sizes', ['1', '1000', '100000']).map(Number);
  const l3 = argument('l3') ?? 'qdrant-double';
  if (l3 !== 'qdrant-double' && l3 !== 'memory') throw new Error('--l3 is qdrant-double or memory');
  const options: Options = {
    modes: listArgument('modes', ['distributed', 'embedded']),
    sizes,
    repeats: listArgument('repeats', ['20', '5', '1']).map(Number),
    l3,
    redisUrl: argument('redis-url') ?? DEFAULT_REDIS_URL,
    redisDb: numberArgument('redis-db', 14),
  };
  const started = Date.now();
  console.log(`Event → purged latency; node ${process.version}; ${machineLoad()}`);
  console.log(
    `tagged entries of ~${JSON.stringify(SAMPLE_RESPONSE).length} B, tenant "${TENANT}", ${SURVIVORS} untagged survivors; purges one after another\n`,
  );
  console.log(
    '| mode | entries per purge | purges | p50 ms (service) | p99 ms (service) | p50 ms (observed) | p99 ms (observed) | p50 ms (apply) | max ms | purged per purge | seeded | check |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|');
  const rows: Row[] = [];
  for (const mode of options.modes) {
    if (mode === 'distributed') rows.push(...(await distributed(options)));
    else if (mode === 'embedded') rows.push(...(await embedded(options)));
    else throw new Error(`unknown mode "${mode}" (distributed, embedded)`);
  }
  console.log(`\nwhole run ${((Date.now() - started) / 1000).toFixed(0)} s; ${machineLoad()}`);
  const json = argument('json');
  if (json)
    writeFileSync(
      json,
      `${JSON.stringify({ bench: 'purge-latency', node: process.version, options, rows }, null, 2)}\n`,
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
