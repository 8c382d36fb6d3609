/**
 * L2 hit latency against a raw Redis GET of a value of the same size, on the same Redis, in one run:
 *
 * - `GET`: node-redis `GET` of a string as long as an entry's hash (fields and values);
 * - `HGETALL`: node-redis `HGETALL` of an entry's hash, the one command `RedisExactStore.get` sends;
 * - `RedisExactStore.get`: that command through redis-om's repository, decoded into a `CacheEntry`
 *   (number fields, the response and tags parsed from JSON);
 * - `RedisExactReads.getWithGenerations`: the entry, its fields' purge generations and the tenant's ticket in one Lua
 *   script (one round trip), decoded;
 * - `LookupUseCase (exact hit, get then latest)`: the cache service's exact path on a hit as it was before
 *   `RedisExactReads` (the default `sequentialExactReads`): the store's get, then the purge-generation check of the
 *   entry's fields (a second round trip), beside the lookup ticket (`current`, concurrent with the get);
 * - `LookupUseCase (exact hit, one script)`: the same path as the cache service runs it, through `RedisExactReads`:
 *   the entry with its generations and the lookup ticket in one round trip;
 * - `LookupUseCase (exact miss, one script)`: the same for an id never stored: the answer is a miss with its ticket.
 *
 * `commands/op` counts the commands the client sent per operation (`RedisConnection.run` calls: each command or
 * script is one); CPU is this process's (client) and redis-server's.
 *
 * Every operation runs in rounds interleaved with the others (a shared machine's load drifts; interleaving
 * spreads it evenly), on random keys among `--entries` seeded ones, at each concurrency. Keys live under a
 * unique prefix and are deleted at the end. See bench/README.md for how to run it and for numbers.
 *
 * Usage: node dist/bench/l2-redis.bench.js [--entries 10000] [--ops 20000] [--concurrency 1,16] [--rounds 5]
 *          [--redis-url redis://127.0.0.1:6379] [--json path]
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import {
  type CacheEntry,
  type Embedder,
  type ExactReads,
  LookupUseCase,
  type MatchVerifier,
  NO_TELEMETRY,
  sequentialExactReads,
} from '@strata/cache-core';
import { MemoryVectorIndex } from '@strata/store-memory';
import { RedisExactReads, RedisExactStore, RedisPurgeGenerations } from '@strata/store-redis';
import { argument, listArgument, numberArgument } from './support/args';
import { ownCpuMs, processCpuMs } from './support/cpu';
import { benchEntry } from './support/fixtures';
import { forEachConcurrently } from './support/http-load';
import { DEFAULT_REDIS_URL, deleteKeys, openRedis, redisPid } from './support/redis';
import { machineLoad, ms, summarize, thousands } from './support/stats';

const TENANT = 'bench';
const WARMUP = 500;

/** The exact path never embeds nor verifies; these say so loudly if that ever changes. */
const exactPathOnly: Embedder & MatchVerifier = {
  embed: () => Promise.reject(new Error('the exact path must not embed')),
  verify: () => {
    throw new Error('the exact path must not verify');
  },
};

interface Operation {
  readonly name: string;
  /** Performs the operation on entry `i` and throws unless it found what it should. */
  readonly run: (i: number) => Promise<void>;
}

interface Row {
  readonly operation: string;
  readonly concurrency: number;
  readonly ops: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly opsPerSecond: number;
  /** CPU of this process (client side: node-redis, redis-om, decoding) per operation, in microseconds. */
  readonly clientCpuUs: number;
  /** CPU of redis-server per operation, in microseconds. */
  readonly redisCpuUs: number;
  /** Commands (or scripts) the client sent per operation. */
  readonly commandsPerOp: number;
}

async function main(): Promise<void> {
  const entries = numberArgument('entries', 10_000);
  const opsPerCell = numberArgument('ops', 20_000);
  const concurrencies = listArgument('concurrency', ['1', '16']).map(Number);
  const rounds = numberArgument('rounds', 5);
  const url = argument('redis-url') ?? DEFAULT_REDIS_URL;
  const prefix = `strata-bench:l2:${randomUUID()}:`;

  const connection = await openRedis(url);
  // Every command and script goes through `run`: counted per operation.
  let commands = 0;
  const run = connection.run.bind(connection);
  connection.run = (operation) => {
    commands++;
    return run(operation);
  };
  const store = new RedisExactStore(connection, { keyPrefix: prefix });
  const generations = new RedisPurgeGenerations(connection, { keyPrefix: prefix });
  const reads = new RedisExactReads(store, generations);
  const lookupThrough = (exactReads: ExactReads): LookupUseCase =>
    new LookupUseCase(
      store,
      new MemoryVectorIndex(),
      exactPathOnly,
      exactPathOnly,
      generations,
      NO_TELEMETRY,
      { candidates: 5, minCosine: 0.8, defaultThreshold: 0.9, now: Date.now },
      undefined,
      exactReads,
    );
  const twoTrips = lookupThrough(sequentialExactReads(store, generations));
  const oneScript = lookupThrough(reads);
  const redisProcess = await redisPid(connection);
  console.log(`L2 hit vs raw Redis GET; node ${process.version}; Redis at ${new URL(url).host}; ${machineLoad()}`);

  try {
    // Seed: entries through the store (its Lua put), raw strings of the same size beside them.
    const seeded: CacheEntry[] = [];
    const now = Date.now();
    // Stored with the tenant's current generation (a lookup's ticket), as the store use case stores them: fresh.
    const generation = await generations.current(TENANT);
    for (let i = 0; i < entries; i++)
      seeded.push({ ...benchEntry({ seed: `l2-${i}`, tenant: TENANT, tags: ['bench:l2'], now }), generation });
    await forEachConcurrently(entries, 32, (i) => store.put(seeded[i]));
    const hash = await connection.client.hGetAll(`${prefix}e:{${TENANT}}:${seeded[0].id}`);
    const hashBytes = Object.entries(hash).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    const raw = 'x'.repeat(hashBytes);
    await forEachConcurrently(entries, 32, async (i) => {
      await connection.client.set(`${prefix}raw:${i}`, raw, { PX: 3_600_000 });
    });
    console.log(
      `${thousands(entries)} entries; an entry's hash holds ${hash ? Object.keys(hash).length : 0} fields, ${thousands(hashBytes)} bytes; raw values the same size\n`,
    );

    const operations: Operation[] = [
      {
        name: 'raw GET (same size)',
        run: async (i) => {
          commands++; // sent on the client itself, not through `run`
          if ((await connection.client.get(`${prefix}raw:${i}`)) === null) throw new Error(`raw ${i} missing`);
        },
      },
      {
        name: 'raw HGETALL (entry hash)',
        run: async (i) => {
          commands++;
          const fields = await connection.client.hGetAll(`${prefix}e:{${TENANT}}:${seeded[i].id}`);
          if (fields.tenant === undefined) throw new Error(`hash ${i} missing`);
        },
      },
      {
        name: 'RedisExactStore.get',
        run: async (i) => {
          if ((await store.get(TENANT, seeded[i].id)) === undefined) throw new Error(`entry ${i} missing`);
        },
      },
      {
        name: 'RedisExactReads.getWithGenerations',
        run: async (i) => {
          if ((await reads.getWithGenerations(TENANT, seeded[i].id)).found === undefined)
            throw new Error(`entry ${i} missing`);
        },
      },
      ...[
        { name: 'LookupUseCase (exact hit, get then latest)', lookup: twoTrips },
        { name: 'LookupUseCase (exact hit, one script)', lookup: oneScript },
      ].map(({ name, lookup }) => ({
        name,
        run: async (i: number) => {
          const e = seeded[i];
          const reply = await lookup.execute({
            tenant: e.tenant,
            namespace: e.namespace,
            model: e.model,
            exactKey: e.exactKey,
            contextHash: e.contextHash,
            query: e.query,
            mode: 'exact',
          });
          if (!reply.hit) throw new Error(`lookup ${i} missed`);
        },
      })),
      {
        name: 'LookupUseCase (exact miss, one script)',
        run: async (i) => {
          const e = seeded[i];
          const reply = await oneScript.execute({
            tenant: e.tenant,
            namespace: e.namespace,
            model: e.model,
            exactKey: `absent-${e.exactKey}`,
            contextHash: e.contextHash,
            query: e.query,
            mode: 'exact',
          });
          if (reply.hit || reply.ticket === undefined) throw new Error(`lookup ${i} hit or answered no ticket`);
        },
      },
    ];

    // Deterministic random keys, the same sequence for every operation.
    let state = 0x2545f491;
    const keys = Uint32Array.from({ length: opsPerCell + WARMUP }, () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) % entries;
    });

    const rows: Row[] = [];
    console.log(
      '| operation | concurrency | ops | p50 ms | p99 ms | max ms | ops/s | commands/op | client CPU µs/op | redis CPU µs/op |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const concurrency of concurrencies) {
      const latencies = operations.map(() => new Float64Array(opsPerCell));
      const filled = operations.map(() => 0);
      const wall = operations.map(() => 0);
      const clientCpu = operations.map(() => 0);
      const redisCpu = operations.map(() => 0);
      const sent = operations.map(() => 0);
      for (const op of operations) await forEachConcurrently(WARMUP, concurrency, (i) => op.run(keys[opsPerCell + i]));
      const perRound = Math.ceil(opsPerCell / rounds);
      for (let round = 0; round < rounds; round++) {
        for (const [o, op] of operations.entries()) {
          const from = round * perRound;
          const count = Math.min(perRound, opsPerCell - from);
          if (count <= 0) continue;
          const cpu0 = ownCpuMs();
          const redis0 = processCpuMs(redisProcess);
          const started = process.hrtime.bigint();
          commands = 0;
          await forEachConcurrently(count, concurrency, async (j) => {
            const t0 = process.hrtime.bigint();
            await op.run(keys[from + j]);
            latencies[o][filled[o]++] = Number(process.hrtime.bigint() - t0) / 1e6;
          });
          wall[o] += Number(process.hrtime.bigint() - started) / 1e6;
          sent[o] += commands;
          clientCpu[o] += ownCpuMs() - cpu0;
          redisCpu[o] += processCpuMs(redisProcess) - redis0;
        }
      }
      for (const [o, op] of operations.entries()) {
        const summary = summarize(latencies[o].subarray(0, filled[o]));
        const row: Row = {
          operation: op.name,
          concurrency,
          ops: filled[o],
          p50Ms: summary.p50Ms,
          p99Ms: summary.p99Ms,
          maxMs: summary.maxMs,
          opsPerSecond: (filled[o] / wall[o]) * 1000,
          clientCpuUs: (clientCpu[o] / filled[o]) * 1000,
          redisCpuUs: (redisCpu[o] / filled[o]) * 1000,
          commandsPerOp: sent[o] / filled[o],
        };
        rows.push(row);
        console.log(
          `| ${row.operation} | ${concurrency} | ${thousands(row.ops)} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} | ${ms(row.maxMs)} | ` +
            `${thousands(row.opsPerSecond)} | ${row.commandsPerOp.toFixed(2)} | ${row.clientCpuUs.toFixed(0)} | ${Number.isFinite(row.redisCpuUs) ? row.redisCpuUs.toFixed(0) : '?'} |`,
        );
      }
    }
    console.log(`\n${machineLoad()}`);
    const json = argument('json');
    if (json)
      writeFileSync(
        json,
        `${JSON.stringify({ bench: 'l2-redis', node: process.version, entries, hashBytes, rows }, null, 2)}\n`,
      );
  } finally {
    const deleted = await deleteKeys(connection, prefix);
    console.error(`cleaned up ${thousands(deleted)} keys under ${prefix}`);
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
