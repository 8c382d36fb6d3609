/**
 * Issue #10 item 4 — what remembering purged tags costs, before and after the per-tenant cap, in one run:
 *
 * - **memory** (`MemoryPurgeGenerations`, the embedded default): heap after `--memory-tags` distinct tags
 *   purged in 10 000-tag events, uncapped (the old behaviour: every tag kept for the retention) and with
 *   the default cap of 100 000 fields per tenant;
 * - **Redis** (`RedisPurgeGenerations`): `used_memory` growth after `--redis-tags` distinct tags, uncapped
 *   and capped, on a redis-server of the bench's own (started here, so nobody else's data is counted);
 * - **one 10 000-tag event** in Redis mode through `PurgeUseCase` (generations + L2 purge of the tags),
 *   with the L2 purge walking one tag at a time (the old behaviour) and 32 at a time.
 *
 * Usage: node --expose-gc dist/bench/purge-generations.bench.js [--memory-tags 2000000] [--redis-tags 200000]
 */
import { NO_TELEMETRY, PurgeUseCase } from '@strata/cache-core';
import { MemoryPurgeGenerations, MemoryVectorIndex } from '@strata/store-memory';
import { RedisConnection, RedisExactStore, RedisPurgeGenerations } from '@strata/store-redis';
import { spawn } from 'node:child_process';
import { numberArgument } from './support/args';

const EVENT_TAGS = 10_000;
const CAP = 100_000;
const DAY_MS = 86_400_000;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
}

function event(from: number): string[] {
  return Array.from({ length: EVENT_TAGS }, (_, i) => `t:product:${from + i}`);
}

async function memoryRow(label: string, tags: number, maxFieldsPerTenant: number): Promise<string> {
  const before = heapMb();
  let generations: MemoryPurgeGenerations | undefined = new MemoryPurgeGenerations({
    retainMs: 31 * DAY_MS,
    maxFieldsPerTenant,
  });
  const started = process.hrtime.bigint();
  for (let from = 0; from < tags; from += EVENT_TAGS) await generations.advance('acme', event(from));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = heapMb();
  const kept = generations.size('acme');
  generations = undefined;
  return `| memory | ${label} | ${tags.toLocaleString('en')} | ${kept.toLocaleString('en')} | ${(after - before).toFixed(1)} MB heap | ${((seconds * 1000 * EVENT_TAGS) / tags).toFixed(1)} ms |`;
}

async function usedMemory(connection: RedisConnection): Promise<number> {
  const info = await connection.client.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0) / 1e6;
}

async function redisRow(
  connection: RedisConnection,
  label: string,
  tags: number,
  maxFieldsPerTenant: number,
): Promise<string> {
  await connection.client.flushAll();
  const before = await usedMemory(connection);
  const generations = new RedisPurgeGenerations(connection, { retainMs: 31 * DAY_MS, maxFieldsPerTenant });
  const started = process.hrtime.bigint();
  for (let from = 0; from < tags; from += EVENT_TAGS) await generations.advance('acme', event(from));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = await usedMemory(connection);
  const kept = await connection.client.hLen('strata:g:{acme}');
  return `| Redis | ${label} | ${tags.toLocaleString('en')} | ${(kept - 2).toLocaleString('en')} | ${(after - before).toFixed(1)} MB used_memory | ${((seconds * 1000 * EVENT_TAGS) / tags).toFixed(1)} ms |`;
}

async function eventRow(
  connection: RedisConnection,
  purgeConcurrency: number,
  action: 'purge' | 'invalidate',
): Promise<string> {
  await connection.client.flushAll();
  const l2 = new RedisExactStore(connection, { purgeConcurrency });
  const generations = new RedisPurgeGenerations(connection, { maxFieldsPerTenant: CAP });
  const purge = new PurgeUseCase(l2, new MemoryVectorIndex({}), generations, NO_TELEMETRY);
  const tags = Array.from({ length: EVENT_TAGS }, (_, i) => `product:${i}`);
  const now = Date.now();
  // One live entry per 10th tag, so the purge walks real indexes as well as empty ones.
  for (let i = 0; i < EVENT_TAGS; i += 10) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    await l2.put({
      id,
      tenant: 'acme',
      namespace: 'default',
      namespaceVersion: 1,
      model: 'm',
      exactKey: id,
      contextHash: 'c',
      query: '',
      response: i,
      tags: [`product:${i}`],
      createdAt: now,
      expiresAt: now + 600_000,
    });
  }
  const started = process.hrtime.bigint();
  const reply = await purge.execute({ tenant: 'acme', tags }, action);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return `| ${action} | ${action === 'invalidate' ? '—' : purgeConcurrency} | ${reply.l2} | ${ms.toFixed(0)} ms |`;
}

async function main(): Promise<void> {
  const memoryTags = numberArgument('memory-tags', 2_000_000);
  const redisTags = numberArgument('redis-tags', 200_000);
  if (!(globalThis as { gc?: unknown }).gc) console.warn('run with node --expose-gc for exact heap figures');

  console.log('| store | cap | distinct tags purged | fields kept | memory growth | per 10k-tag event |');
  console.log('|---|---|---:|---:|---:|---:|');
  console.log(await memoryRow('none (before)', memoryTags, Number.POSITIVE_INFINITY));
  console.log(await memoryRow(`${CAP.toLocaleString('en')} (after)`, memoryTags, CAP));

  // A redis-server of the bench's own: its used_memory counts nothing but this bench.
  const port = numberArgument('redis-port', 6399);
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const connection = RedisConnection.open({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 60_000 });
  try {
    await connection.whenReady(5_000);
    console.log(await redisRow(connection, 'none (before)', redisTags, Number.POSITIVE_INFINITY));
    console.log(await redisRow(connection, `${CAP.toLocaleString('en')} (after)`, redisTags, CAP));
    console.log('\n| one 10,000-tag event (Redis) | tags walked at a time | L2 entries purged | time |');
    console.log('|---|---:|---:|---:|');
    for (const run of [1, 2]) {
      void run;
      console.log(await eventRow(connection, 1, 'purge'));
      console.log(await eventRow(connection, 32, 'purge'));
      console.log(await eventRow(connection, 32, 'invalidate'));
    }
  } finally {
    await connection.close();
    server.kill('SIGKILL');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
