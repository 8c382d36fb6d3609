import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** The `strata` bin as package.json declares it (it runs the built CLI). */
export const STRATA_BIN = join(ROOT, 'apps', 'cli', 'bin', 'strata.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (for `--json` runs). */
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions inspect arbitrary JSON
}

/** A `strata` process still running: its output so far, and its end. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
}

/** Starts `strata <args>` as an OS process, without a terminal (stdout/stderr are pipes). */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [STRATA_BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json: () => {
          try {
            // eslint-disable-next-line @typescript-eslint/no-unsafe-return -- tests inspect arbitrary JSON
            return JSON.parse(stdout);
          } catch {
            throw new Error(`strata ${args.join(' ')} printed no JSON (exit ${String(code)}):\n${stdout}\n${stderr}`);
          }
        },
      }),
    );
  });
  return { child, done };
}

/** Runs `strata <args>` to its end. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return startCli(args, env).done;
}

export interface ServedStrata {
  readonly url: string;
  /** SIGTERM (graceful drain); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `strata serve` as an OS process (embedded, in-memory stores, a free port); resolves once it listens. */
export function startServe(env: Record<string, string>): Promise<ServedStrata> {
  const child = spawn(process.execPath, [STRATA_BIN, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strata serve did not start within 60 s:\n${output}`));
    }, 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        url,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`strata serve exited with ${String(code)} before it was ready:\n${output}`));
    });
  });
}
