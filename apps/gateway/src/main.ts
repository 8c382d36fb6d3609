import 'reflect-metadata';
import { ConfigError, loadConfig } from '@strata/config';
import { startEmbedded } from '@strata/runtime';

/**
 * The gateway's entry point. In the embedded default (`STRATA_MODE=embedded`, what `npm start` runs)
 * it starts all four services in this process; in distributed mode, the gateway alone.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startEmbedded(config);
  process.stdout.write(`Strata (embedded) listening on ${running.url ?? '?'}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: draining and stopping\n`);
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Strata failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
