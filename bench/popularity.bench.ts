/**
 * What counting entry popularity adds to an L1 hit: the L1 read (and the clock read every hit does) beside
 * the same plus `HitRecorder.record` (one map update; the flush to the cache service runs off the hit path every
 * STRATA_POPULARITY_FLUSH_MS and is included here once per 100 000 hits). Same process, same entries,
 * alternating rounds; ns/op is the median of 7 rounds.
 *
 * Usage: npm run build && node dist/bench/popularity.bench.js
 */
import { type CacheEntry } from '@strata/cache-core';
import { type CacheService } from '@strata/contracts';
import { HitRecorder, L1Cache } from '@strata/service-gateway';
import { createHash } from 'node:crypto';

const ENTRIES = 1_000;
const ITERATIONS = 2_000_000;

function key(i: number): string {
  return createHash('sha256').update(`q${i}`).digest('hex');
}

const l1 = new L1Cache({ maxEntries: 10_000, maxTtlSeconds: 300 });
const keys: string[] = [];
for (let i = 0; i < ENTRIES; i++) {
  const entry: CacheEntry = {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tenant: `tenant-${i % 10}`,
    namespace: 'default',
    namespaceVersion: 1,
    model: 'gpt-4o-mini',
    exactKey: key(i),
    contextHash: key(-1),
    query: `question ${i}`,
    response: { answer: i },
    tags: [],
    createdAt: Date.now(),
    expiresAt: Date.now() + 3_600_000,
  };
  l1.set(entry);
  keys.push(entry.exactKey);
}

let flushed = 0;
const cache = {
  recordHits: ({ hits }: { hits: unknown[] }) => {
    flushed += hits.length;
    return Promise.resolve({ recorded: hits.length });
  },
} as unknown as CacheService;
const recorder = new HitRecorder(cache, { cache: { popularityFlushMs: 5_000 } } as never);

function round(withRecorder: boolean): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) {
    const n = i % ENTRIES;
    const entry = l1.get(keys[n] ?? '', `tenant-${n % 10}`);
    // The gateway reads the clock once per hit anyway (the answer's Age); the recorder takes that reading.
    const now = Date.now();
    if (withRecorder && entry) recorder.record(entry.tenant, entry.id, now);
    if (withRecorder && i % 100_000 === 0) void recorder.flush();
  }
  return Number(process.hrtime.bigint() - start) / ITERATIONS;
}

round(false);
round(true); // warm up (JIT)
const bare: number[] = [];
const counted: number[] = [];
for (let r = 0; r < 7; r++) {
  bare.push(round(false));
  counted.push(round(true));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[3] ?? 0;
const [b, c] = [median(bare), median(counted)];
process.stdout.write(`L1 hit (get)                          ${b.toFixed(0).padStart(5)} ns/op\n`);
process.stdout.write(`L1 hit + HitRecorder.record           ${c.toFixed(0).padStart(5)} ns/op\n`);
process.stdout.write(`added by popularity counting          ${(c - b).toFixed(0).padStart(5)} ns/op\n`);
process.stdout.write(`(${flushed} counts flushed to the fake cache service)\n`);
