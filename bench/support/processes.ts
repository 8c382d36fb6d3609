import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root (this file runs as `dist/bench/support/processes.js`). */
export const ROOT = join(__dirname, '..', '..', '..');

/** A process a bench started: a built entry point run as production runs it (`node dist/…`, env config). */
export interface BenchProcess {
  readonly name: string;
  /** What the ready line announced (an `http://` URL, or `host:port` for the broker). */
  readonly url: string;
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr, capped at the last 64 KB). */
  output(): string;
  /** Calls `listener` with every complete line it prints from now on; returns a function that stops it. */
  onLine(listener: (line: string) => void): () => void;
  /** SIGTERM (graceful drain), SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<BenchProcess>();
/** How much of a process's output `output()` keeps. */
const OUTPUT_CHARS = 65_536;
let exitHooked = false;

/** Kills (SIGKILL) every process still running when the bench exits or is interrupted, so none is left behind. */
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = () => {
    for (const p of running) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export interface StartOptions {
  /** Shown in errors and logs. */
  readonly name: string;
  /** Path of the built entry point, relative to the repository root (e.g. `dist/apps/cache/src/main.js`). */
  readonly entry: string;
  readonly args?: readonly string[];
  /** Options for node itself (e.g. `--cpu-prof`), before the entry point. */
  readonly nodeArgs?: readonly string[];
  /** The whole environment of the child besides PATH, HOST=127.0.0.1 and PORT=0 (nothing else is inherited). */
  readonly env?: Readonly<Record<string, string>>;
  /** The line that says it is ready; group 1 is its address. Default: Strata's `listening on http://…`. */
  readonly ready?: RegExp;
  readonly startTimeoutMs?: number;
}

/** Starts a built entry point as its own OS process and resolves once it prints its ready line. */
export function startProcess(options: StartOptions): Promise<BenchProcess> {
  hookExit();
  const ready = options.ready ?? /listening on (http:\/\/\S+)/;
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), join(ROOT, options.entry), ...(options.args ?? [])],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // The last 64 KB it printed, as chunks (joined only when asked): a gateway's access log under load is megabytes a
  // second, and the bench process that drains it is also the load generator — it must not pay per byte for it.
  const tail: string[] = [];
  let tailChars = 0;
  const output = () => tail.join('').slice(-OUTPUT_CHARS);
  const listeners = new Set<(line: string) => void>();
  const partial = { stdout: '', stderr: '' };
  const feed = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString();
    tail.push(text);
    tailChars += text.length;
    while (tail.length > 1 && tailChars - tail[0].length >= OUTPUT_CHARS) tailChars -= (tail.shift() as string).length;
    // Lines are split only while someone listens (the ready line, a bench waiting for a log line).
    if (listeners.size === 0) {
      const end = text.lastIndexOf('\n');
      partial[stream] = end < 0 ? partial[stream] + text : text.slice(end + 1);
      return;
    }
    const lines = (partial[stream] + text).split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const line of lines) for (const listener of listeners) listener(line);
  };
  child.stdout?.on('data', feed('stdout'));
  child.stderr?.on('data', feed('stderr'));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name} did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${output()}`));
    }, options.startTimeoutMs ?? 60_000);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const isDone = () => child.exitCode !== null || child.signalCode !== null;
    let url = '';
    const handle: BenchProcess = {
      name: options.name,
      get url() {
        return url;
      },
      pid: child.pid ?? -1,
      output,
      onLine(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async stop(graceMs = 10_000) {
        running.delete(handle);
        if (isDone()) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      },
    };
    const waitForReady = (line: string) => {
      const match = ready.exec(line);
      if (!match?.[1]) return;
      listeners.delete(waitForReady);
      clearTimeout(timer);
      url = match[1];
      running.add(handle);
      resolve(handle);
    };
    listeners.add(waitForReady);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(handle);
      // After readiness this is a no-op; before it, the process died while starting.
      reject(new Error(`${options.name} exited (${String(code ?? signal)}) before it was ready:\n${output()}`));
    });
  });
}

/** Stops processes in the order given (callers list the ones that call others first). */
export async function stopAll(processes: readonly (BenchProcess | undefined)[]): Promise<void> {
  for (const p of processes) await p?.stop();
}

/** Polls `GET {url}/health/ready` until it answers 200. */
export async function waitUntilReady(p: BenchProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${p.url}/health/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${p.name} not ready within ${timeoutMs} ms:\n${p.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Kafka wire-protocol test broker (tools/kafka-test-broker) as its own process; `url` is `host:port`. */
export function startKafkaTestBroker(): Promise<BenchProcess> {
  return startProcess({
    name: 'kafka-test-broker',
    entry: 'dist/tools/kafka-test-broker/src/main.js',
    args: ['--port', '0'],
    ready: /listening on (\S+)/,
  });
}

/** One Strata app (`dist/apps/<app>/src/main.js`) with the given env. */
export function startStrataApp(
  app: 'gateway' | 'cache' | 'embedding' | 'invalidation',
  env: Readonly<Record<string, string>>,
  options: { readonly name?: string; readonly nodeArgs?: readonly string[] } = {},
): Promise<BenchProcess> {
  return startProcess({
    name: options.name ?? app,
    entry: `dist/apps/${app}/src/main.js`,
    env,
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
  });
}

/** Node options that make a process write a V8 CPU profile into `dir` when it exits (none without a dir). */
export function cpuProfileArgs(dir: string | undefined): string[] {
  return dir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** The Qdrant REST test double as its own process (`bench/support/qdrant-double.main.ts`). */
export function startQdrantTestDouble(): Promise<BenchProcess> {
  return startProcess({ name: 'qdrant-test-double', entry: 'dist/bench/support/qdrant-double.main.js' });
}
