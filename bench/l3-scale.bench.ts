/**
 * What a user sees of the in-process L3's size (issue #17, item 3, "misses/s flat from 10k to 1M entries"): the
 * gateway's end-to-end semantic miss throughput and CPU per miss with one context pre-filled with `--entries` entries.
 *
 * The gateway runs as `npm start` runs it (embedded, no STRATA_MODE, info logs to a pipe), in front of a fake
 * upstream (its own process, keep-alive, no latency). One system prompt for every question, so every entry is in one
 * context partition. The pre-fill goes through the public API, as a user restoring an export would: one chat miss
 * stores an entry whose keys (`GET /v1/cache/entries`) are the template, then `POST /v1/cache/import` stores
 * `--entries` new questions under that context (batches of 100; each is embedded again by the gateway and written to
 * L2 and L3). The bench then waits until the gateway's CPU is idle (the HNSW graph links new entries in background
 * slices), checks that a stored question is an L3 hit, and drives closed-loop load with autocannon:
 *
 * - miss: a new question per request (L1 miss, L2 miss, embedding, L3 search, upstream call, store in L2 and L3);
 * - miss-exact: the same with `X-Strata-Cache-Mode: exact` (no embedding, no L3): the reference without the tier.
 *
 * Each runs at every `--connections` for `--seconds`, interleaved over `--rounds`; figures are the medians (range).
 * CPU per miss is the gateway's user+system time from /proc over the measured run, the whole process and its event
 * loop thread alone. With `--cpu-prof DIR` the gateway writes a V8 CPU profile and the bench ends with a `--profile-seconds`
 * miss run at the last connection count, then reads from the profile the share of the busy event-loop time spent in
 * `MemoryVectorIndex.search` (L3 lookups) and in `upsert` + background linking (L3 writes).
 *
 * Usage: npm run build && node dist/bench/l3-scale.bench.js --entries 100000 [--embedding glove-wiki-100d]
 *          [--seconds 10] [--rounds 3] [--connections 1,16] [--cpu-prof /tmp/l3-scale-prof] [--profile-seconds 10]
 *          [--gateway-heap-mb 12000] [--verbose (the gateway's CPU each second while waiting for it to idle)]
 *          [--json bench/results/l3-scale.json]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream } from '../libs/testing/src/fake-upstream/fake-upstream';
import { argument, flag, listArgument, numberArgument } from './support/args';
import { type AutocannonResult, autocannonLoad, resultCells } from './support/autocannon-load';
import { processCpuMs, processCpuMsExcept } from './support/cpu';
import { frameShares } from './support/cpu-profile-frames';
import { forEachConcurrently } from './support/http-load';
import { ROOT, type BenchProcess, startProcess, stopAll } from './support/processes';
import { machineLoad, ms, msSince, thousands } from './support/stats';
import { Random } from './support/random';

const MODEL = 'gpt-4o-mini';
const SYSTEM = 'You are a terse assistant for the Strata documentation.';
const IMPORT_BATCH = 100;
/** V8's sampling thread under `--cpu-prof`: not counted in the gateway's CPU (a run without profiling has none). */
const PROFILER_THREAD = /^v8:ProfEvntProc$/;
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer bench' };

function chatBody(question: string): string {
  return JSON.stringify({
    model: MODEL,
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: question },
    ],
    temperature: 0,
  });
}

// ------------------------------------------------------------------------------------------- questions

/** Questions of 4–12 words of the docs (drawn by frequency), a stream per seed: the pre-fill's and the misses' differ. */
class Questions {
  private readonly words: string[];
  private readonly cumulative: Float64Array;

  constructor() {
    const counts = new Map<string, number>();
    const docs = join(ROOT, 'docs');
    for (const file of readdirSync(docs).filter((f) => f.endsWith('.md'))) {
      for (const word of readFileSync(join(docs, file), 'utf8')
        .toLowerCase()
        .match(/\b[a-z]{3,14}\b/g) ?? [])
        counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    this.words = [...counts.keys()];
    this.cumulative = new Float64Array(this.words.length);
    let sum = 0;
    this.words.forEach((w, i) => {
      sum += counts.get(w) ?? 0;
      this.cumulative[i] = sum;
    });
  }

  stream(seed: number): () => string {
    const random = new Random(seed);
    const total = this.cumulative[this.cumulative.length - 1] ?? 1;
    const word = () => {
      const x = random.next() * total;
      let lo = 0;
      let hi = this.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.cumulative[mid] ?? 0) < x) lo = mid + 1;
        else hi = mid;
      }
      return this.words[lo] ?? 'word';
    };
    return () => {
      const n = 4 + random.below(9);
      const picked: string[] = [];
      for (let i = 0; i < n; i++) picked.push(word());
      return `${picked.join(' ')}?`;
    };
  }
}

// ------------------------------------------------------------------------------------------------- load

/** One scenario's run: autocannon's figures and the gateway's CPU, and how its answers were served. */
interface Run extends AutocannonResult {
  readonly scenario: string;
  readonly connections: number;
  readonly round: number;
  readonly outcomes: Record<string, number>;
}

async function load(
  scenario: string,
  url: string,
  headers: Record<string, string>,
  nextBody: () => string,
  gateway: BenchProcess,
  connections: number,
  seconds: number,
): Promise<Omit<Run, 'round'>> {
  const outcomes: Record<string, number> = {};
  const result = await autocannonLoad({
    url,
    method: 'POST',
    headers: { ...HEADERS, ...headers },
    nextBody,
    connections,
    seconds,
    serverPid: gateway.pid,
    serverCpuMs: (pid) => processCpuMsExcept(pid, PROFILER_THREAD),
    onResponse: (status, h) => {
      const label = status === 200 ? String(h['x-strata-cache'] ?? 'none') : `status ${status}`;
      outcomes[label] = (outcomes[label] ?? 0) + 1;
    },
  });
  return { scenario, connections, ...result, outcomes };
}

// --------------------------------------------------------------------------------------------- phases

/**
 * Resolves once the process's event loop (where the graph links, in background slices) used less than `quietMs` of
 * CPU in each of `windows` consecutive seconds.
 */
async function untilIdle(p: BenchProcess, quietMs = 30, windows = 3, timeoutMs = 1_800_000): Promise<number> {
  const started = Date.now();
  let quiet = 0;
  let last = processCpuMs(p.pid, p.pid);
  while (quiet < windows) {
    if (Date.now() - started > timeoutMs) throw new Error(`${p.name} still busy after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = processCpuMs(p.pid, p.pid);
    if (flag('verbose')) process.stdout.write(`  ${p.name} CPU ${now - last} ms in 1 s\n`);
    quiet = now - last < quietMs ? quiet + 1 : 0;
    last = now;
  }
  return (Date.now() - started) / 1000;
}

async function metric(gateway: BenchProcess, pattern: RegExp): Promise<string[]> {
  const text = await (await fetch(`${gateway.url}/metrics`, { headers: HEADERS })).text();
  return text.split('\n').filter((line) => pattern.test(line));
}

interface Template {
  readonly namespace: string;
  readonly namespaceVersion: number;
  readonly model: string;
  readonly contextHash: string;
  readonly response: unknown;
}

/** One chat miss with the system prompt; its stored entry (as `GET /v1/cache/entries` shows it) is the template. */
async function template(gateway: BenchProcess): Promise<Template> {
  const reply = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: HEADERS,
    body: chatBody('How do I restore an export into the cache?'),
  });
  if (reply.status !== 200) throw new Error(`template miss: ${reply.status} ${await reply.text()}`);
  await reply.arrayBuffer();
  for (let i = 0; i < 200; i++) {
    const list = await fetch(`${gateway.url}/v1/cache/entries?limit=1`, { headers: HEADERS });
    const body = (await list.json()) as { entries?: Template[] };
    const first = body.entries?.[0];
    if (first) return first;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the template entry was never listed');
}

async function prefill(gateway: BenchProcess, shape: Template, count: number, next: () => string): Promise<void> {
  const createdAt = new Date().toISOString();
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  const batches = Math.ceil(count / IMPORT_BATCH);
  let reported = 0;
  let stored = 0;
  const started = process.hrtime.bigint();
  const cpuBefore = processCpuMs(gateway.pid);
  await forEachConcurrently(batches, 2, async (b) => {
    const entries = [];
    for (let i = b * IMPORT_BATCH; i < Math.min(count, (b + 1) * IMPORT_BATCH); i++) {
      const exactKey = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
      entries.push({ ...shape, exactKey, query: next(), tags: [], createdAt, expiresAt });
    }
    const reply = await fetch(`${gateway.url}/v1/cache/import`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ entries }),
    });
    const body = await reply.text();
    if (reply.status !== 200) throw new Error(`import: ${reply.status} ${body.slice(0, 300)}`);
    stored += (JSON.parse(body) as { stored: number }).stored;
    if (b * 10 >= (reported + 1) * batches) {
      reported++;
      process.stdout.write(
        `  pre-fill ${thousands(stored)} stored, ${(msSince(started) / 1000).toFixed(0)} s (${machineLoad()})\n`,
      );
    }
  });
  process.stdout.write(
    `pre-fill: ${thousands(stored)} of ${thousands(count)} stored in ${(msSince(started) / 1000).toFixed(0)} s, gateway CPU ${((processCpuMs(gateway.pid) - cpuBefore) / 1000).toFixed(0)} s\n`,
  );
  if (stored !== count) throw new Error(`only ${stored} of ${count} entries were stored`);
}

// ------------------------------------------------------------------------------------------------- main

async function serveFake(): Promise<void> {
  const fake = await FakeUpstream.start({ wordsPerChunk: 4, latencyMs: 0 });
  process.stdout.write(`listening on ${fake.url}\n`);
}

async function bench(): Promise<void> {
  const entries = numberArgument('entries', 10_000);
  const embedding = argument('embedding') ?? 'glove-wiki-100d';
  const seconds = numberArgument('seconds', 10);
  const rounds = numberArgument('rounds', 3);
  const connectionCounts = listArgument('connections', ['1', '16']).map(Number);
  const profileDir = argument('cpu-prof');
  const profileSeconds = numberArgument('profile-seconds', 10);
  const heapMb = numberArgument('gateway-heap-mb', entries >= 300_000 ? 12_000 : 4_000);
  const started: BenchProcess[] = [];
  const questions = new Questions();
  try {
    const upstream = await startProcess({
      name: 'fake-upstream',
      entry: 'dist/bench/l3-scale.bench.js',
      args: ['--serve'],
    });
    started.push(upstream);
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const gateway = await startProcess({
      name: 'gateway',
      entry: 'dist/apps/gateway/src/main.js',
      nodeArgs: [
        `--max-old-space-size=${heapMb}`,
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ],
      env: {
        UPSTREAM_URL: upstream.url,
        LOG_LEVEL: 'info',
        EMBEDDING_MODEL: embedding,
        // Room for the pre-fill and every miss the bench stores: nothing is evicted while it runs.
        STRATA_MEMORY_MAX_ENTRIES: String(entries + 200_000),
        STRATA_MEMORY_MAX_BYTES: String(32 * 1024 ** 3),
      },
      startTimeoutMs: 180_000,
    });
    started.unshift(gateway);
    process.stdout.write(
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; gateway embedded, EMBEDDING_MODEL=${embedding}, ${thousands(entries)} entries in one context; ${machineLoad()}\n`,
    );

    const { namespace, namespaceVersion, model, contextHash, response } = await template(gateway);
    const prefillStarted = Date.now();
    await prefill(gateway, { namespace, namespaceVersion, model, contextHash, response }, entries, questions.stream(1));
    const idleAfter = await untilIdle(gateway);
    process.stdout.write(
      `idle ${idleAfter.toFixed(0)} s after the last import (linking); pre-fill to idle ${((Date.now() - prefillStarted) / 1000).toFixed(0)} s; ${(await metric(gateway, /^strata_cache_entries\{tier="l3"/)).join(' ')}\n`,
    );

    // A stored question, asked again: an L3 hit in the same context (its exact key was made up, so not L2).
    const again = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: HEADERS,
      body: chatBody(questions.stream(1)()),
    });
    await again.arrayBuffer();
    process.stdout.write(`a pre-filled question asked again: X-Strata-Cache ${again.headers.get('x-strata-cache')}\n`);
    if (again.headers.get('x-strata-cache') !== 'HIT') throw new Error('the pre-filled entries are not found by L3');

    const misses = questions.stream(2);
    const url = `${gateway.url}/v1/chat/completions`;
    const scenarios: [string, Record<string, string>][] = [
      ['miss', {}],
      ['miss-exact', { 'x-strata-cache-mode': 'exact' }],
    ];
    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [name, headers] of scenarios) {
        for (const connections of connectionCounts) {
          await load(name, url, headers, () => chatBody(misses()), gateway, connections, 1);
          const run = {
            ...(await load(name, url, headers, () => chatBody(misses()), gateway, connections, seconds)),
            round,
          };
          runs.push(run);
          process.stdout.write(
            `round ${round} ${name.padEnd(10)} c=${String(connections).padEnd(3)} ${run.rps.toFixed(0).padStart(5)} req/s  p50 ${ms(run.p50Ms)} ms  p99 ${ms(run.p99Ms)} ms  CPU ${ms(run.cpuMsPerRequest)} ms/req (loop ${ms(run.loopCpuMsPerRequest)})  ${JSON.stringify(run.outcomes)}${run.errors ? `  errors ${run.errors}` : ''}  (${machineLoad()})\n`,
          );
        }
      }
    }

    process.stdout.write(
      `\n| entries | embedding | scenario | conns | misses/s | p50 ms | p99 ms | CPU ms/miss (process) | CPU ms/miss (event loop) | answers |\n|---:|---|---|---:|---:|---:|---:|---:|---:|---|\n`,
    );
    for (const [name] of scenarios) {
      for (const connections of connectionCounts) {
        const mine = runs.filter((r) => r.scenario === name && r.connections === connections);
        const outcomes: Record<string, number> = {};
        for (const r of mine) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;
        process.stdout.write(
          `| ${thousands(entries)} | ${embedding} | ${name} | ${connections} | ${resultCells(mine, (x) => x.toFixed(0))} | ${Object.entries(
            outcomes,
          )
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')} |\n`,
        );
      }
    }
    process.stdout.write(
      `\n${(await metric(gateway, /^strata_(cache_entries\{tier="l3"|cache_l3_writes_pending|proxy_store_queue_total|cache_stores_total)/)).join('\n')}\n`,
    );

    let profile: Record<string, unknown> | undefined;
    if (profileDir) {
      const connections = connectionCounts[connectionCounts.length - 1] ?? 16;
      const run = await load('miss', url, {}, () => chatBody(misses()), gateway, connections, profileSeconds);
      const stopStarted = process.hrtime.bigint();
      await gateway.stop(120_000);
      const window = profileSeconds + msSince(stopStarted) / 1000 + 0.5;
      const file = readdirSync(profileDir)
        .filter((f) => f.includes(`.${gateway.pid}.0.`) && f.endsWith('.cpuprofile'))
        .sort()
        .pop();
      if (!file) throw new Error(`no main-thread profile of pid ${gateway.pid} in ${profileDir}`);
      const store = 'store-memory/src/vector/memory-vector-index.js';
      const shares = frameShares(
        join(profileDir, file),
        [
          { label: 'L3 search', functionName: 'search', file: store },
          { label: 'L3 upsert', functionName: 'upsert', file: store },
          { label: 'L3 linking', functionName: 'linkSlice', file: store },
        ],
        window,
      );
      const share = (label: string) => (100 * (shares.inclusiveUs[label] ?? 0)) / shares.busyUs;
      process.stdout.write(
        `\nprofiled miss run, c=${connections}, ${run.rps.toFixed(0)} misses/s, event loop ${ms(run.loopCpuMsPerRequest)} ms/miss; of the event loop's busy time (${(shares.busyUs / 1e6).toFixed(1)} s sampled): L3 search ${share('L3 search').toFixed(1)} %, L3 upsert ${share('L3 upsert').toFixed(1)} %, L3 background linking ${share('L3 linking').toFixed(1)} % (${join(profileDir, file)})\n`,
      );
      profile = { run, shares, file: join(profileDir, file) };
    }

    const json = argument('json');
    if (json !== undefined)
      writeFileSync(
        json,
        JSON.stringify({ node: process.version, entries, embedding, seconds, rounds, runs, profile }, null, 2),
      );
  } finally {
    await stopAll(started);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--serve')) return serveFake();
  await bench();
  // autocannon's agents may hold the loop open: the bench is done.
  process.exit(0);
}

main().then(
  () => undefined,
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
