/**
 * The gateway's HTTP hot path against the machine's ceiling, driven by autocannon, in one run:
 *
 * - bare: a bare Node `http` server answering every POST with the same ~600-byte completion (the ceiling of
 *   this machine with this load generator);
 * - floor: `GET /health/live` on the gateway (the HTTP framework before any Strata work);
 * - lookup-hit: `POST /v1/cache/lookup` answered from L1;
 * - chat-hit / stream-hit: `POST /v1/chat/completions` answered from L1 (JSON; SSE replay);
 * - upstream / miss: the fake upstream called directly, and a new question per request through the gateway
 *   (L1 miss, L2 + L3 lookup with the question embedded, the upstream call, the queued store); miss overhead
 *   = p50(miss) − p50(upstream) of the same round;
 * - miss-exact: the same misses with `X-Strata-Cache-Mode: exact` (L1 and L2 only: no embedding, no L3), what the
 *   semantic tier adds to a miss;
 * - miss-turn: new questions as the later turn of a conversation of their own (a new context each time, as in most
 *   multi-turn chat traffic): semantic lookups in contexts L3 holds nothing of (opt-in);
 * - miss-nostore: exact-mode misses with `Cache-Control: no-store` (looked up, not stored): beside miss-exact, what
 *   storing every answer costs (opt-in);
 * - miss-bypass: the same new questions with `Cache-Control: no-cache, no-store`, no cache work at all: Strata's HTTP
 *   edge and upstream call beside the bare proxy (opt-in);
 * - bare-proxy: the same new questions through a bare Node proxy (a `node:http` server forwarding each body to the
 *   upstream over an undici keep-alive `Pool` and writing its answer back): what any proxy in Node pays on this
 *   machine, its overhead measured like the miss's.
 *
 * Every server is its own process (the gateway as `npm start` runs it: embedded, info logs to a pipe); this
 * process only generates load. Hit scenarios run at `--connections` (default 50), upstream/miss at
 * `--miss-connections` (default 1,16); the scenarios are interleaved over `--rounds` rounds and each figure is
 * the median with the range over rounds. Every answer is checked (status, X-Strata-Cache, lookup `hit`); CPU per
 * request is the serving process's user+system time from /proc over the measured run.
 *
 * Usage: npm run build && node dist/bench/gateway-proxy.bench.js [--seconds 5] [--rounds 3]
 *          [--connections 50] [--miss-connections 1,16]
 *          [--scenarios bare,floor,lookup-hit,chat-hit,stream-hit,upstream,bare-proxy,miss,miss-exact] (also
 *          miss-turn, miss-nostore, miss-bypass)
 *          [--gateway-env KEY=VALUE,...] [--gateway-node-args --cpu-prof,--cpu-prof-dir=/tmp/prof]
 *          [--upstream-latency-ms 0] (the fake upstream waits this long before each answer)
 *          [--miss-rate 0] (upstream and miss scenarios at this many requests a second in all, an open loop; 0:
 *          each connection sends its next request when the last is answered)
 *          [--json bench/results/gateway-proxy.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { FakeUpstream, fakeCompletion } from '../libs/testing/src/fake-upstream/fake-upstream';
import { argument, listArgument, numberArgument } from './support/args';
import { type AutocannonResult, autocannonLoad, resultCells } from './support/autocannon-load';
import { ROOT, type BenchProcess, startProcess, stopAll } from './support/processes';
import { machineLoad, ms, range } from './support/stats';

const MODEL = 'gpt-4o-mini';
const HIT_QUESTION = 'What is the capital of France?';
const SYSTEM = 'You are a terse assistant.';

/** A later turn of a conversation of its own (its earlier turns name `n`): a context no other request shares. */
function laterTurnBody(question: string, n: number): string {
  return JSON.stringify({
    model: MODEL,
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: `My order ${n} has not arrived yet.` },
      { role: 'assistant', content: `Sorry to hear that! Order ${n} left our warehouse on Monday.` },
      { role: 'user', content: question },
    ],
    temperature: 0,
  });
}

function chatBody(question: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: MODEL,
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: question },
    ],
    temperature: 0,
    ...extra,
  });
}

// ---------------------------------------------------------------------------------------------- servers

/**
 * Child roles: the fake upstream; the bare proxy in front of it (`--upstream URL`); or the bare server answering
 * every request with one ~600-byte body.
 */
async function serve(role: string): Promise<void> {
  if (role === 'fake') {
    const fake = await FakeUpstream.start({ wordsPerChunk: 4, latencyMs: numberArgument('latency-ms', 0) });
    process.stdout.write(`listening on ${fake.url}\n`);
    return;
  }
  if (role === 'proxy') {
    const upstream = new URL(argument('upstream') ?? '');
    const path = `${upstream.pathname.replace(/\/$/, '')}/chat/completions`;
    const pool = new Pool(upstream.origin, { connections: 64 });
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.once('end', () => {
        pool
          .request({
            path,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: Buffer.concat(chunks),
          })
          .then(async (answer) => {
            const body = Buffer.from(await answer.body.arrayBuffer());
            res.writeHead(answer.statusCode, { 'content-type': 'application/json', 'content-length': body.length });
            res.end(body);
          })
          .catch(() => {
            res.writeHead(502).end();
          });
      });
    });
    proxy.keepAliveTimeout = 60_000;
    proxy.listen(0, '127.0.0.1', () =>
      process.stdout.write(`listening on http://127.0.0.1:${(proxy.address() as AddressInfo).port}\n`),
    );
    return;
  }
  const body = JSON.stringify(fakeCompletion('chatcmpl-fake-1', MODEL, `Answer #1 to: ${HIT_QUESTION}`, 11));
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`),
  );
}

// ------------------------------------------------------------------------------------------- questions

/** Words of the docs, to make miss questions that are new in meaning too (numbers alone embed alike). */
function vocabulary(): string[] {
  const text =
    readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8') + readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...new Set(text.toLowerCase().match(/\b[a-z]{4,12}\b/g) ?? [])];
}

function missQuestion(words: readonly string[], n: number): string {
  let x = (n + 1) * 2654435761;
  const picked: string[] = [];
  for (let i = 0; i < 7; i++) {
    x = (x ^ (x >>> 13)) * 1274126177;
    x = x ^ (x >>> 16);
    picked.push(words[Math.abs(x) % words.length] ?? 'word');
  }
  return `${picked.join(' ')} ${n}?`;
}

// ------------------------------------------------------------------------------------------------- load

interface Scenario {
  readonly name: string;
  readonly kind: 'hit' | 'miss';
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** A fixed body, or one per request. */
  readonly body?: string;
  readonly nextBody?: () => string;
  /** Request headers beside the content type and the key. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Is this answer what the scenario measures (a hit that is a hit)? */
  readonly verify: (status: number, headers: IncomingHttpHeaders, body: string) => boolean;
  /** The process whose CPU is the scenario's cost. */
  readonly server: BenchProcess;
}

/** One scenario's run: autocannon's figures and the server's CPU, and the answers that were not what it measures. */
interface Run extends AutocannonResult {
  readonly scenario: string;
  readonly connections: number;
  readonly round: number;
  readonly unexpected: number;
}

async function load(
  scenario: Scenario,
  connections: number,
  seconds: number,
  record: boolean,
  rate = 0,
): Promise<Omit<Run, 'round'>> {
  let unexpected = 0;
  const result = await autocannonLoad({
    url: scenario.url,
    method: scenario.method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer bench', ...scenario.headers },
    ...(scenario.body === undefined ? {} : { body: scenario.body }),
    ...(scenario.nextBody === undefined ? {} : { nextBody: scenario.nextBody }),
    connections,
    seconds,
    rate,
    record,
    serverPid: scenario.server.pid,
    onResponse: (status, headers, body) => {
      if (!scenario.verify(status, headers, body)) unexpected++;
    },
  });
  return { scenario: scenario.name, connections, ...result, unexpected };
}

// ------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const role = argument('serve');
  if (role !== undefined) return serve(role);
  await bench();
  // autocannon's agents may hold the loop open: the bench is done.
  process.exit(0);
}

async function bench(): Promise<void> {
  const seconds = numberArgument('seconds', 5);
  const rounds = numberArgument('rounds', 3);
  const hitConnections = listArgument('connections', ['50']).map(Number);
  const missConnections = listArgument('miss-connections', ['1', '16']).map(Number);
  const missRate = numberArgument('miss-rate', 0);
  const wanted = new Set(
    listArgument('scenarios', [
      'bare',
      'floor',
      'lookup-hit',
      'chat-hit',
      'stream-hit',
      'upstream',
      'bare-proxy',
      'miss',
    ]),
  );
  const gatewayEnv = Object.fromEntries(
    listArgument('gateway-env', []).map((pair) => [
      pair.slice(0, pair.indexOf('=')),
      pair.slice(pair.indexOf('=') + 1),
    ]),
  );
  const self = 'dist/bench/gateway-proxy.bench.js';
  const started: BenchProcess[] = [];
  try {
    const bare = await startProcess({ name: 'bare', entry: self, args: ['--serve', 'bare'] });
    const upstream = await startProcess({
      name: 'fake-upstream',
      entry: self,
      args: ['--serve', 'fake', '--latency-ms', String(numberArgument('upstream-latency-ms', 0))],
    });
    const proxy = await startProcess({
      name: 'bare-proxy',
      entry: self,
      args: ['--serve', 'proxy', '--upstream', upstream.url],
    });
    started.push(bare, upstream, proxy);
    const gateway = await startProcess({
      name: 'gateway',
      entry: 'dist/apps/gateway/src/main.js',
      nodeArgs: listArgument('gateway-node-args', []),
      // As `npm start` runs it: info logs (the access log among them) to its stdout, a pipe.
      env: { UPSTREAM_URL: upstream.url, LOG_LEVEL: 'info', ...gatewayEnv },
    });
    started.unshift(gateway);

    // Prime the hits: one chat miss (stored through the store queue), one stored lookup entry.
    const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };
    const lookupBody = JSON.stringify({
      model: MODEL,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'How do I return an item?' },
      ],
      params: { temperature: 0 },
    });
    const stored = await fetch(`${gateway.url}/v1/cache/entries`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...JSON.parse(lookupBody), response: fakeCompletion('c-1', MODEL, 'Within 30 days.', 9) }),
    });
    if (stored.status !== 201) throw new Error(`seeding the lookup entry: ${stored.status} ${await stored.text()}`);
    for (let i = 0; ; i++) {
      const reply = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers,
        body: chatBody(HIT_QUESTION),
      });
      await reply.arrayBuffer();
      if (reply.headers.get('x-strata-cache') === 'HIT') break;
      if (i > 200) throw new Error('the chat answer never became a hit');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const words = vocabulary();
    let missCount = 0;
    const isStatus = (headers: IncomingHttpHeaders, value: string) => headers['x-strata-cache'] === value;
    const all: Scenario[] = [
      {
        name: 'bare',
        kind: 'hit',
        url: bare.url,
        method: 'POST',
        body: chatBody(HIT_QUESTION),
        server: bare,
        verify: (s) => s === 200,
      },
      {
        name: 'floor',
        kind: 'hit',
        url: `${gateway.url}/health/live`,
        method: 'GET',
        server: gateway,
        verify: (s) => s === 200,
      },
      {
        name: 'lookup-hit',
        kind: 'hit',
        url: `${gateway.url}/v1/cache/lookup`,
        method: 'POST',
        body: lookupBody,
        server: gateway,
        verify: (s, _h, body) => s === 200 && body.includes('"tier":"l1"'),
      },
      {
        name: 'chat-hit',
        kind: 'hit',
        url: `${gateway.url}/v1/chat/completions`,
        method: 'POST',
        body: chatBody(HIT_QUESTION),
        server: gateway,
        verify: (s, h) => s === 200 && isStatus(h, 'HIT'),
      },
      {
        name: 'stream-hit',
        kind: 'hit',
        url: `${gateway.url}/v1/chat/completions`,
        method: 'POST',
        body: chatBody(HIT_QUESTION, { stream: true }),
        server: gateway,
        verify: (s, h, body) => s === 200 && isStatus(h, 'HIT') && body.includes('[DONE]'),
      },
      {
        name: 'upstream',
        kind: 'miss',
        url: `${upstream.url}/chat/completions`,
        method: 'POST',
        nextBody: () => chatBody(missQuestion(words, missCount++)),
        server: upstream,
        verify: (s) => s === 200,
      },
      {
        name: 'bare-proxy',
        kind: 'miss',
        url: `${proxy.url}/v1/chat/completions`,
        method: 'POST',
        nextBody: () => chatBody(missQuestion(words, missCount++)),
        server: proxy,
        verify: (s) => s === 200,
      },
      {
        name: 'miss',
        kind: 'miss',
        url: `${gateway.url}/v1/chat/completions`,
        method: 'POST',
        nextBody: () => chatBody(missQuestion(words, missCount++)),
        server: gateway,
        verify: (s, h) => s === 200 && isStatus(h, 'MISS'),
      },
      {
        // The same misses looked up (and stored) in the exact tier only: what the semantic tier adds to a miss.
        name: 'miss-exact',
        kind: 'miss',
        url: `${gateway.url}/v1/chat/completions`,
        method: 'POST',
        headers: { 'x-strata-cache-mode': 'exact' },
        nextBody: () => chatBody(missQuestion(words, missCount++)),
        server: gateway,
        verify: (s, h) => s === 200 && isStatus(h, 'MISS'),
      },
      {
        // The same new questions with `Cache-Control: no-cache, no-store`: Strata's HTTP edge, controls and upstream
        // call without any cache work (no lookup, no store): what the proxy plumbing costs beside the bare proxy.
        name: 'miss-bypass',
        kind: 'miss',
        url: `${gateway.url}/v1/chat/completions`,
        method: 'POST',
        headers: { 'cache-control': 'no-cache, no-store' },
        nextBody: () => chatBody(missQuestion(words, missCount++)),
        server: gateway,
        verify: (s) => s === 200,
      },
      {
        // New questions as the later turn of a conversation of their own (unique earlier turns): the context is new
        // every time, as in most multi-turn chat traffic, so the semantic tier holds nothing of it.
        name: 'miss-turn',
        kind: 'miss',
        url: `${gateway.url}/v1/chat/completions`,
        method: 'POST',
        nextBody: () => {
          const n = missCount++;
          return laterTurnBody(missQuestion(words, n), n);
        },
        server: gateway,
        verify: (s, h) => s === 200 && isStatus(h, 'MISS'),
      },
      {
        // Exact-mode misses with `Cache-Control: no-store`: looked up, not stored. Beside `miss-exact`, what storing
        // every answer costs a miss (the L2 put, the L1 fill, the background L3 copy and the encoder's work for it).
        name: 'miss-nostore',
        kind: 'miss',
        url: `${gateway.url}/v1/chat/completions`,
        method: 'POST',
        headers: { 'x-strata-cache-mode': 'exact', 'cache-control': 'no-store' },
        nextBody: () => chatBody(missQuestion(words, missCount++)),
        server: gateway,
        verify: (s, h) => s === 200 && isStatus(h, 'MISS'),
      },
    ];
    const scenarios = all.filter((s) => wanted.has(s.name));
    const plan: [Scenario, number][] = [];
    for (const s of scenarios) for (const c of s.kind === 'hit' ? hitConnections : missConnections) plan.push([s, c]);

    process.stdout.write(
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; autocannon, ${rounds} rounds × ${seconds} s per scenario after 1 s warm-up; ${machineLoad()}\n\n`,
    );
    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [scenario, connections] of plan) {
        const rate = scenario.kind === 'miss' ? missRate : 0;
        await load(scenario, connections, 1, false, rate);
        const run = { ...(await load(scenario, connections, seconds, true, rate)), round };
        runs.push(run);
        process.stdout.write(
          `round ${round} ${scenario.name.padEnd(10)} c=${String(connections).padEnd(3)} ${Math.round(run.rps).toString().padStart(6)} req/s  p50 ${ms(run.p50Ms).padStart(6)} ms  p99 ${ms(run.p99Ms).padStart(6)} ms  CPU ${ms(run.cpuMsPerRequest)} ms/req (loop ${ms(run.loopCpuMsPerRequest)})` +
            `${run.errors ? `  errors ${run.errors}` : ''}${run.unexpected ? `  UNEXPECTED ${run.unexpected}` : ''}  (${machineLoad()})\n`,
        );
      }
    }

    const same = (r: Run, name: string) =>
      runs.find((x) => x.scenario === name && x.connections === r.connections && x.round === r.round);
    process.stdout.write(
      '\n| scenario | conns | req/s | p50 ms | p99 ms | CPU ms/request | event loop CPU ms/request | × bare req/s | × bare CPU/request | overhead p50 ms (over upstream) | errors, unexpected |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n',
    );
    for (const [scenario, connections] of plan) {
      const mine = runs.filter((r) => r.scenario === scenario.name && r.connections === connections);
      const ratios = mine.flatMap((r) => {
        const bare = same(r, 'bare');
        return bare ? [r.rps / bare.rps] : [];
      });
      const cpuRatios = mine.flatMap((r) => {
        const bare = same(r, 'bare');
        return bare ? [bare.cpuMsPerRequest / r.cpuMsPerRequest] : [];
      });
      const overheads = mine.flatMap((r) => {
        const direct = scenario.kind === 'miss' && scenario.name !== 'upstream' ? same(r, 'upstream') : undefined;
        return direct ? [r.p50Ms - direct.p50Ms] : [];
      });
      process.stdout.write(
        `| ${scenario.name} | ${connections} | ${resultCells(mine, (x) => Math.round(x).toLocaleString('en'))} | ${ratios.length ? range(ratios, (x) => `${x.toFixed(2)}×`) : '–'} | ${cpuRatios.length ? range(cpuRatios, (x) => `${x.toFixed(2)}×`) : '–'} | ${overheads.length ? range(overheads, ms) : '–'} | ${mine.reduce((a, r) => a + r.errors, 0)}, ${mine.reduce((a, r) => a + r.unexpected, 0)} |\n`,
      );
    }
    // What the misses did in the gateway beyond their answers: hedges, lookup results, stores, the embedding tier.
    const metrics = await (await fetch(`${gateway.url}/metrics`, { headers })).text();
    const counted = metrics
      .split('\n')
      .filter((line) =>
        /^strata_(proxy_hedges_total|cache_results_total|cache_stores_total|tier_errors_total|proxy_store_queue_total|embedding_provider_texts_total|cache_lookups_total\{tier="l3")[{ ,]/.test(
          line,
        ),
      );
    if (counted.length) process.stdout.write(`\ngateway counters at the end (every round):\n${counted.join('\n')}\n`);
    const json = argument('json');
    if (json !== undefined)
      writeFileSync(
        json,
        JSON.stringify({ node: process.version, cpus: cpus().length, seconds, rounds, runs }, null, 2),
      );
  } finally {
    await stopAll(started);
  }
}

main().then(
  () => undefined,
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
