/**
 * The OpenAI-compatible proxy under load, against the machine's ceiling, in one run:
 *
 * - bare: a bare Node HTTP server returning the same completion body (the most this machine serves over
 *   HTTP with this load generator);
 * - upstream: the fake OpenAI-compatible upstream called directly;
 * - floor: `GET /health/live` on the gateway (what NestJS on Fastify costs before any Strata work);
 * - hit / stream-hit: the same request through the gateway, answered from L1 (JSON, and SSE replay);
 * - miss: a new question per request through the gateway (lookup L1 → cache service L2 + L3, the upstream
 *   call, then the queued store that embeds the question and writes L2 and L3);
 * - bypass: temperature 0.7 through the gateway (no lookup, no store: the pure proxy cost).
 *
 * Each at 1 and 50 connections (keep-alive), req/s and latency p50/p99, and the ratios. Every server is
 * its own process (the built gateway exactly as `npm start` runs it); this process only generates load.
 *
 * Usage: npm run build && node dist/bench/gateway-proxy.bench.js [--seconds 5] [--connections 1,50]
 *                                                                 [--scenarios bare,upstream,floor,hit,stream-hit,miss,bypass]
 *                                                                 [--json bench/results/gateway-proxy.json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, type IncomingHttpHeaders, createServer, request } from 'node:http';
import { type AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { FakeUpstream, fakeCompletion } from '../libs/testing/src/fake-upstream/fake-upstream';

const ROOT = join(__dirname, '..', '..');
const MODEL = 'gpt-4o-mini';
const HIT_QUESTION = 'What is the capital of France?';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function chatBody(question: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: MODEL,
    messages: [
      { role: 'system', content: 'You are a terse assistant.' },
      { role: 'user', content: question },
    ],
    temperature: 0,
    ...extra,
  });
}

// ---------------------------------------------------------------------------------------------- servers

/** Child process roles: the fake upstream, or the bare server answering every request with one body. */
async function serve(role: string): Promise<void> {
  if (role === 'fake') {
    const fake = await FakeUpstream.start({ wordsPerChunk: 4 });
    process.stdout.write(`listening on ${fake.url}\n`);
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

interface Child {
  readonly url: string;
  readonly process: ChildProcess;
}

function startChild(args: string[], env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve({ url: match[1], process: child });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stderr.write(chunk);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${String(code)}:\n${output}`)));
  });
}

// -------------------------------------------------------------------------------------------- load loop

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function send(agent: Agent, url: URL, body: string | undefined, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers:
          body === undefined
            ? headers
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Scenario {
  readonly name: string;
  readonly url: URL;
  /** The request body of the n-th request (none: a GET). */
  readonly body: (n: number) => string | undefined;
  /** X-Strata-Cache expected on every answer (counted when it differs). */
  readonly expect?: string;
}

interface Result {
  readonly scenario: string;
  readonly connections: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly unexpected: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

let sequence = 0;

/** `connections` workers, each sending its next request when the previous answer is complete, for `seconds` (after a warm-up). */
async function run(scenario: Scenario, connections: number, seconds: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const headers = { authorization: 'Bearer bench' };
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  let errors = 0;
  let unexpected = 0;
  const worker = async () => {
    while (!stop) {
      const started = process.hrtime.bigint();
      try {
        const reply = await send(agent, scenario.url, scenario.body(sequence++), headers);
        if (!measuring) continue;
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (reply.status !== 200) errors++;
        else if (scenario.expect !== undefined && reply.headers['x-strata-cache'] !== scenario.expect) unexpected++;
      } catch {
        if (measuring) errors++;
      }
    }
  };
  const workers = Array.from({ length: connections }, worker);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // warm-up
  measuring = true;
  const start = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    scenario: scenario.name,
    connections,
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50Ms: Math.round(percentile(sorted, 0.5) * 100) / 100,
    p99Ms: Math.round(percentile(sorted, 0.99) * 100) / 100,
    errors,
    unexpected,
  };
}

async function metricsLine(gateway: string, pattern: RegExp): Promise<string> {
  const reply = await send(new Agent(), new URL('/metrics', gateway), undefined, {});
  return reply.body
    .split('\n')
    .filter((line) => pattern.test(line))
    .join('; ');
}

// ------------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const role = arg('serve', '');
  if (role !== '') return serve(role);

  const seconds = Number(arg('seconds', '5'));
  const connectionCounts = arg('connections', '1,50').split(',').map(Number);
  const wanted = new Set(arg('scenarios', 'bare,upstream,floor,hit,stream-hit,miss,bypass').split(','));
  const self = join(ROOT, 'dist', 'bench', 'gateway-proxy.bench.js');
  const children: Child[] = [];
  try {
    const bare = await startChild([self, '--serve', 'bare'], {});
    const upstream = await startChild([self, '--serve', 'fake'], {});
    const gateway = await startChild([join(ROOT, 'dist/apps/gateway/src/main.js')], { UPSTREAM_URL: upstream.url });
    children.push(bare, upstream, gateway);

    // Prime the hit: one miss, then wait until the gateway answers it from L1.
    const chat = new URL('/v1/chat/completions', gateway.url);
    for (let i = 0; i < 200; i++) {
      const reply = await send(new Agent(), chat, chatBody(HIT_QUESTION), {});
      if (reply.headers['x-strata-cache'] === 'HIT') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const all: Scenario[] = [
      { name: 'bare', url: new URL('/', bare.url), body: () => chatBody(HIT_QUESTION) },
      { name: 'upstream', url: new URL(`${upstream.url}/chat/completions`), body: () => chatBody(HIT_QUESTION) },
      { name: 'floor', url: new URL('/health/live', gateway.url), body: () => undefined },
      { name: 'hit', url: chat, body: () => chatBody(HIT_QUESTION), expect: 'HIT' },
      { name: 'stream-hit', url: chat, body: () => chatBody(HIT_QUESTION, { stream: true }), expect: 'HIT' },
      {
        name: 'miss',
        url: chat,
        body: (n) => chatBody(`Benchmark question number ${n} about topic ${n % 97}?`),
        expect: 'MISS',
      },
      { name: 'bypass', url: chat, body: () => chatBody(HIT_QUESTION, { temperature: 0.7 }), expect: 'BYPASS' },
    ];
    const scenarios = all.filter((s) => wanted.has(s.name));

    process.stdout.write(
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}; ${seconds} s per run after 1 s warm-up\n\n`,
    );
    const results: Result[] = [];
    for (const connections of connectionCounts) {
      for (const scenario of scenarios) {
        const result = await run(scenario, connections, seconds);
        results.push(result);
        process.stdout.write(
          `${scenario.name.padEnd(11)} c=${String(connections).padEnd(3)} ${String(result.rps).padStart(7)} req/s  p50 ${result.p50Ms.toFixed(2).padStart(7)} ms  p99 ${result.p99Ms.toFixed(2).padStart(7)} ms` +
            `${result.errors ? `  errors ${result.errors}` : ''}${result.unexpected ? `  unexpected-cache-status ${result.unexpected}` : ''}\n`,
        );
      }
    }

    process.stdout.write(
      '\n| scenario | conns | req/s | p50 ms | p99 ms | vs bare | vs upstream |\n|---|---:|---:|---:|---:|---:|---:|\n',
    );
    for (const r of results) {
      const bareRps = results.find((x) => x.scenario === 'bare' && x.connections === r.connections)?.rps;
      const upstreamRps = results.find((x) => x.scenario === 'upstream' && x.connections === r.connections)?.rps;
      const ratio = (base: number | undefined) => (base ? `${(r.rps / base).toFixed(2)}×` : '–');
      process.stdout.write(
        `| ${r.scenario} | ${r.connections} | ${r.rps} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${ratio(bareRps)} | ${ratio(upstreamRps)} |\n`,
      );
    }
    process.stdout.write(
      `\nstore queue after the run: ${await metricsLine(gateway.url, /^strata_proxy_store_queue_total/)}\n`,
    );
    const json = arg('json', '');
    if (json !== '')
      writeFileSync(json, JSON.stringify({ node: process.version, cpus: cpus().length, seconds, results }, null, 2));
  } finally {
    for (const child of children) child.process.kill('SIGTERM');
  }
}

main().then(
  () => undefined,
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
