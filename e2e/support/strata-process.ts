import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface StrataProcess {
  readonly url: string;
  readonly output: () => string;
  /** SIGTERM (graceful drain); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, no drain. */
  kill(): Promise<void>;
}

/**
 * Runs a built Strata entry point as an OS process, the way production runs it (`node dist/...` with
 * env config), and resolves once it prints its listening URL.
 */
export function startStrataProcess(
  entry: string,
  env: Record<string, string>,
  readyPattern = /listening on (http:\/\/\S+)/,
): Promise<StrataProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = readyPattern.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          output: () => output,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
              child.once('exit', (code) => done(code));
              child.kill('SIGTERM');
            }),
          kill: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // After readiness this reject is a no-op; before it, the process died while starting.
      reject(new Error(`${entry} exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions inspect arbitrary JSON
}

/** A tiny JSON HTTP client for the tests. */
export async function http(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string>; apiKey?: string } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const res = await fetch(url + path, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (e.g. /metrics)
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/**
 * The environment every service of a distributed end-to-end stack shares: the Kafka test broker, a Redis database
 * of its own, the Qdrant test double, probes on ephemeral ports. Specs add what they test.
 */
export function distributedEnv(options: {
  readonly brokers: string;
  readonly redisDb: number;
  readonly qdrantUrl: string;
  readonly cacheTimeoutMs: number;
}): Record<string, string> {
  return {
    STRATA_MODE: 'distributed',
    KAFKA_BROKERS: options.brokers,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    REDIS_URL: `redis://127.0.0.1:6379/${options.redisDb}`,
    QDRANT_URL: options.qdrantUrl,
    HEALTH_PORT: '0',
    STRATA_CACHE_TIMEOUT_MS: String(options.cacheTimeoutMs),
  };
}
