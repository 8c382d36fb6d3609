import { Agent, request } from 'node:http';
import { type LatencySummary, msSince, summarize } from './stats';

export interface HttpReply {
  readonly status: number;
  readonly body: string;
}

/**
 * A keep-alive JSON client over `node:http` (lighter on the CPU than `fetch`, which matters when the load
 * generator shares two cores with the services it measures). One agent per target, `maxSockets` = the
 * highest concurrency used, so every in-flight request has its own warm connection.
 */
export class JsonClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets = 64) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(method: string, path: string, body?: string): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = {};
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = request({ host: this.host, port: this.port, method, path, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  post(path: string, value: unknown): Promise<HttpReply> {
    return this.send('POST', path, JSON.stringify(value));
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface LoadOptions {
  readonly concurrency: number;
  /** Stop after this many requests… */
  readonly maxRequests: number;
  /** …or after this long, whichever comes first. */
  readonly maxSeconds: number;
  /** Requests before measuring starts (same concurrency), not counted. */
  readonly warmup?: number;
  /** Sends request number `i` (0-based over the whole run) and returns the label it is counted under. */
  readonly send: (i: number) => Promise<string>;
}

export interface LoadResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latency: LatencySummary;
  /** How many requests ended under each label (e.g. `l2`, `l1`, `miss`, `error 500`). */
  readonly outcomes: Readonly<Record<string, number>>;
}

/**
 * A closed-loop load: `concurrency` workers, each sending its next request as soon as the previous one
 * answered, until the request or time budget is spent. Latency is measured around each `send`.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const warmup = options.warmup ?? 0;
  const worker = async (
    limit: number,
    deadline: number,
    record: ((ms: number, outcome: string) => void) | undefined,
  ) => {
    while (next < limit && Date.now() < deadline) {
      const i = next++;
      const started = process.hrtime.bigint();
      let outcome: string;
      try {
        outcome = await options.send(i);
      } catch (error) {
        outcome = `error ${error instanceof Error ? error.message : String(error)}`.slice(0, 80);
      }
      record?.(msSince(started), outcome);
    }
  };
  if (warmup > 0) {
    await Promise.all(
      Array.from({ length: options.concurrency }, () => worker(warmup, Date.now() + 60_000, undefined)),
    );
  }
  const latencies = new Float64Array(options.maxRequests);
  const outcomes: Record<string, number> = {};
  let done = 0;
  const record = (ms: number, outcome: string) => {
    latencies[done++] = ms;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };
  const limit = next + options.maxRequests;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.maxSeconds * 1000;
  await Promise.all(Array.from({ length: options.concurrency }, () => worker(limit, deadline, record)));
  const seconds = msSince(started) / 1000;
  return {
    concurrency: options.concurrency,
    requests: done,
    seconds,
    requestsPerSecond: done / seconds,
    latency: summarize(latencies.subarray(0, done)),
    outcomes,
  };
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; rejects on the first failure. */
export async function forEachConcurrently(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
