/** The `strata` command line (`apps/cli/bin/strata.js` runs this once built). */
import { loadCliEnv } from '@strata/config';
import { runCli } from '@strata/cli';

runCli(process.argv, {
  io: { stdout: process.stdout, stderr: process.stderr },
  env: loadCliEnv(),
  serve: () => {
    // Loaded only for `serve`: the other commands start fast without NestJS.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('reflect-metadata');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('@strata/runtime') as typeof import('@strata/runtime')).runService('gateway');
  },
}).then(
  (code) => {
    if (code === undefined) return; // `serve` owns the process now
    process.exitCode = code;
    // Done: a client still retrying in the background (an unreachable Kafka broker) must not hold the exit.
    setTimeout(() => process.exit(code), 500).unref();
  },
  (error: unknown) => {
    process.stderr.write(`strata: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
