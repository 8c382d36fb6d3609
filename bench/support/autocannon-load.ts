import autocannon from 'autocannon';
import { type IncomingHttpHeaders } from 'node:http';
import { processCpuMs } from './cpu';
import { ms, percentile, range } from './stats';

export interface AutocannonLoad {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** Request headers (the content type and key included). */
  readonly headers: Readonly<Record<string, string>>;
  /** A fixed body, or one per request. */
  readonly body?: string;
  readonly nextBody?: () => string;
  readonly connections: number;
  readonly seconds: number;
  /** An open loop: this many requests a second in all, whatever the answers' pace (0: each connection back to back). */
  readonly rate?: number;
  /** Whether latencies are kept (false: a warm-up). */
  readonly record?: boolean;
  /** The process whose CPU is the load's cost (its main thread alone is the event loop's). */
  readonly serverPid: number;
  /** The server's CPU time, ms (default: the whole process; a bench may leave its profiler's thread out). */
  readonly serverCpuMs?: (pid: number) => number;
  /** Each answer, as it comes. */
  readonly onResponse?: (status: number, headers: IncomingHttpHeaders, body: string) => void;
}

export interface AutocannonResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMsPerRequest: number;
  /** The server's main thread alone (its event loop; not worker threads such as the sentence encoder's). */
  readonly loopCpuMsPerRequest: number;
  readonly errors: number;
}

/**
 * One autocannon run against a server, with the server's CPU per request read from `/proc` over the run (the whole
 * process, and its main thread alone): what the gateway benches report beside req/s and latency.
 */
export async function autocannonLoad(load: AutocannonLoad): Promise<AutocannonResult> {
  const latencies: number[] = [];
  const serverCpuMs = load.serverCpuMs ?? ((pid: number) => processCpuMs(pid));
  const cpuBefore = serverCpuMs(load.serverPid);
  const loopBefore = processCpuMs(load.serverPid, load.serverPid);
  const started = process.hrtime.bigint();
  const { onResponse, nextBody } = load;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        duration: load.seconds,
        ...(load.rate !== undefined && load.rate > 0 ? { overallRate: load.rate } : {}),
        headers: { ...load.headers },
        requests: [
          {
            method: load.method,
            ...(load.body === undefined ? {} : { body: load.body }),
            ...(nextBody === undefined
              ? {}
              : { setupRequest: (request: autocannon.Request) => ({ ...request, body: nextBody() }) }),
            ...(onResponse === undefined
              ? {}
              : {
                  onResponse: (status: number, body: string, _context: object, headers?: IncomingHttpHeaders) =>
                    onResponse(status, headers ?? {}, body),
                }),
          },
        ],
      },
      (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
      if (load.record !== false) latencies.push(responseTimeMs);
    });
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = serverCpuMs(load.serverPid) - cpuBefore;
  const loop = processCpuMs(load.serverPid, load.serverPid) - loopBefore;
  const sorted = Float64Array.from(latencies).sort();
  const total = Math.max(1, result.requests.total);
  return {
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuMsPerRequest: cpu / total,
    loopCpuMsPerRequest: loop / total,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** Table cells of runs of one scenario: req/s (as `rps` formats it), p50, p99, CPU and event-loop CPU per request. */
export function resultCells(runs: readonly AutocannonResult[], rps: (x: number) => string): string {
  const cell = (pick: (r: AutocannonResult) => number, format: (x: number) => string) => range(runs.map(pick), format);
  return [
    cell((r) => r.rps, rps),
    cell((r) => r.p50Ms, ms),
    cell((r) => r.p99Ms, ms),
    cell((r) => r.cpuMsPerRequest, ms),
    cell((r) => r.loopCpuMsPerRequest, ms),
  ].join(' | ');
}
