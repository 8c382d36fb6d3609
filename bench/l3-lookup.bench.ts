/**
 * L3 lookup latency of the embedded default's vector index (`MemoryVectorIndex`): p50/p99 of `search` at 10k, 100k
 * and 1M entries of 100-d vectors, in two layouts:
 *
 * - one-context: every entry in one (tenant, context) partition, so every search scans all of them (worst case);
 * - spread: entries over N/100 contexts of 20 tenants, context sizes Zipf-distributed (rank r holds ∝ 1/r), and
 *   lookups going to a context with probability ∝ its size (busy contexts get more traffic).
 *
 * Vectors are topic centroids plus noise (same-topic cosine ≈ 0.85); each query is a fresh noisy copy of a topic
 * present in its context, with minScore 0.8 and limit 5, as the cache asks. See bench/README.md for how to run it
 * and for numbers.
 *
 * Usage: node dist/bench/l3-lookup.bench.js [--sizes 10000,100000,1000000] [--layouts one-context,spread]
 *                                           [--queries N] [--json path]
 */
import { type CacheEntry, type VectorIndex, entryTag } from '@strata/cache-core';
import { MemoryVectorIndex } from '@strata/store-memory';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const DIM = 100;
const TOPICS = 1_000;
const TENANTS = 20;
const MODEL = 'glove-wiki-100d';
const MIN_SCORE = 0.8;
const LIMIT = 5;
const WARMUP = 50;
/** Per-component noise: cosine of two noisy copies of one topic ≈ 1 / (1 + DIM·σ²) ≈ 0.85. */
const NOISE = 0.042;

type Layout = 'one-context' | 'spread';

interface Result {
  layout: Layout;
  entries: number;
  contexts: number;
  queries: number;
  /** Mean entries in the partition a query scanned. */
  meanScanned: number;
  p50Ms: number;
  p99Ms: number;
  /** The same percentiles in process CPU time: what the lookup costs on an idle core, free of scheduling noise. */
  cpuP50Ms: number;
  cpuP99Ms: number;
  meanHits: number;
  upsertsPerSecond: number;
  heapMb: number;
  arrayBuffersMb: number;
}

/** xorshift128+: deterministic, allocation-free random numbers. */
class Random {
  private s0 = 0x9e3779b9;
  private s1 = 0x243f6a88;

  constructor(seed: number) {
    this.s0 ^= seed;
    for (let i = 0; i < 20; i++) this.next();
  }

  next(): number {
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    this.s1 = x;
    return ((this.s0 + this.s1) >>> 0) / 4_294_967_296;
  }

  /** Standard normal (Box–Muller). */
  gaussian(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }

  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function topicCentroids(random: Random): Float32Array {
  const centroids = new Float32Array(TOPICS * DIM);
  for (let t = 0; t < TOPICS; t++) {
    let norm = 0;
    for (let d = 0; d < DIM; d++) {
      const x = random.gaussian();
      centroids[t * DIM + d] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (let d = 0; d < DIM; d++) centroids[t * DIM + d] /= norm;
  }
  return centroids;
}

function noisyCopy(centroids: Float32Array, topic: number, random: Random, into: Float32Array): Float32Array {
  for (let d = 0; d < DIM; d++) into[d] = centroids[topic * DIM + d] + NOISE * random.gaussian();
  return into;
}

/** Sizes of `contexts` contexts holding `entries` in total, ∝ 1/rank, each at least 1. */
function zipfSizes(entries: number, contexts: number): number[] {
  let harmonic = 0;
  for (let r = 1; r <= contexts; r++) harmonic += 1 / r;
  const sizes = Array.from({ length: contexts }, (_, i) => Math.max(1, Math.floor(entries / ((i + 1) * harmonic))));
  let missing = entries - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; missing !== 0; i = (i + 1) % contexts) {
    const step = missing > 0 ? 1 : sizes[i] > 1 ? -1 : 0;
    sizes[i] += step;
    missing -= step;
  }
  return sizes;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function defaultQueries(entries: number): number {
  return entries <= 10_000 ? 2_000 : entries <= 100_000 ? 1_000 : 300;
}

async function run(layout: Layout, entries: number, queriesOverride: number | undefined): Promise<Result> {
  const random = new Random(entries);
  const centroids = topicCentroids(random);
  const sizes = layout === 'one-context' ? [entries] : zipfSizes(entries, Math.max(10, Math.floor(entries / 100)));
  const contexts = sizes.map((size, i) => ({
    tenant: `tenant-${i % TENANTS}`,
    contextHash: `context-${i}`,
    size,
    // A context's entries cover a few topics; a query asks about one of them.
    topics: Array.from({ length: 1 + Math.min(9, Math.floor(size / 50)) }, () => random.below(TOPICS)),
  }));

  const index: VectorIndex = new MemoryVectorIndex();
  const now = Date.now();
  const response = { choices: [{ index: 0, message: { role: 'assistant', content: 'cached answer' } }] };
  const vector = new Float32Array(DIM);
  let upsertNanos = 0n;
  for (const context of contexts) {
    for (let i = 0; i < context.size; i++) {
      const id = randomUUID();
      const entry: CacheEntry = {
        id,
        tenant: context.tenant,
        namespace: 'default',
        namespaceVersion: 1,
        model: 'gpt-4o-mini',
        exactKey: id,
        contextHash: context.contextHash,
        query: 'q',
        response,
        tags: [entryTag(id)],
        createdAt: now,
        expiresAt: now + 86_400_000,
      };
      const topic = context.topics[i % context.topics.length];
      noisyCopy(centroids, topic, random, vector);
      const started = process.hrtime.bigint();
      await index.upsert(MODEL, entry, vector);
      upsertNanos += process.hrtime.bigint() - started;
    }
  }
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();

  // Lookups go to a context with probability ∝ its size.
  const cumulative = new Float64Array(contexts.length);
  sizes.reduce((sum, size, i) => (cumulative[i] = sum + size), 0);
  const pickContext = (): (typeof contexts)[number] => {
    const target = random.next() * entries;
    let lo = 0;
    let hi = contexts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return contexts[lo];
  };

  const queries = queriesOverride ?? defaultQueries(entries);
  const latencies = new Float64Array(queries);
  const cpuTimes = new Float64Array(queries);
  let scanned = 0;
  let hits = 0;
  const query = new Float32Array(DIM);
  for (let q = -WARMUP; q < queries; q++) {
    const context = pickContext();
    noisyCopy(centroids, context.topics[random.below(context.topics.length)], random, query);
    const cpuStarted = process.cpuUsage();
    const started = process.hrtime.bigint();
    const candidates = await index.search({
      vector: query,
      tenant: context.tenant,
      contextHash: context.contextHash,
      model: MODEL,
      limit: LIMIT,
      minScore: MIN_SCORE,
      now,
    });
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
    const cpu = process.cpuUsage(cpuStarted);
    if (q < 0) continue;
    latencies[q] = elapsed;
    cpuTimes[q] = (cpu.user + cpu.system) / 1e3;
    scanned += context.size;
    hits += candidates.length;
  }
  latencies.sort();
  cpuTimes.sort();
  return {
    layout,
    entries,
    contexts: contexts.length,
    queries,
    meanScanned: Math.round(scanned / queries),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuP50Ms: percentile(cpuTimes, 50),
    cpuP99Ms: percentile(cpuTimes, 99),
    meanHits: hits / queries,
    upsertsPerSecond: Math.round(entries / (Number(upsertNanos) / 1e9)),
    heapMb: Math.round(memory.heapUsed / 2 ** 20),
    arrayBuffersMb: Math.round(memory.arrayBuffers / 2 ** 20),
  };
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const sizes = (argument('sizes') ?? '10000,100000,1000000').split(',').map(Number);
  const layouts = (argument('layouts') ?? 'one-context,spread').split(',') as Layout[];
  const queries = argument('queries') === undefined ? undefined : Number(argument('queries'));
  const results: Result[] = [];

  console.log(`MemoryVectorIndex search, ${DIM}-d, limit ${LIMIT}, minScore ${MIN_SCORE}; node ${process.version}`);
  console.log(
    '| layout | entries | contexts | mean scanned | queries | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | hits/query | upserts/s | heap MB | typed arrays MB |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const entries of sizes) {
    for (const layout of layouts) {
      const r = await run(layout, entries, queries);
      results.push(r);
      console.log(
        `| ${r.layout} | ${r.entries.toLocaleString('en')} | ${r.contexts.toLocaleString('en')} | ` +
          `${r.meanScanned.toLocaleString('en')} | ${r.queries} | ${r.p50Ms.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ` +
          `${r.cpuP50Ms.toFixed(3)} | ${r.cpuP99Ms.toFixed(3)} | ${r.meanHits.toFixed(1)} | ${r.upsertsPerSecond.toLocaleString('en')} | ` +
          `${r.heapMb} | ${r.arrayBuffersMb} |`,
      );
      (globalThis as { gc?: () => void }).gc?.();
    }
  }
  const json = argument('json');
  if (json) writeFileSync(json, `${JSON.stringify({ bench: 'l3-lookup', node: process.version, results }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
