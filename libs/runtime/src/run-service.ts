import { ConfigError, loadConfig } from '@strata/config';
import { type RunningStrata, startDistributed, startEmbedded } from './start-strata';
import { type ServiceName } from './transport-factory';

/**
 * Longest graceful shutdown: draining normally takes well under a second, but closing Kafka clients while
 * the broker is unreachable retries for long. Kubernetes' grace period (30 s) is above this.
 */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * The whole `main()` of every app: parse config once, start the service (or, for the gateway in the
 * embedded default, all four), print where it listens, drain and stop on SIGTERM/SIGINT.
 */
export function runService(service: ServiceName): void {
  const start = async (): Promise<RunningStrata> => {
    const config = loadConfig();
    if (config.mode === 'embedded') {
      if (service !== 'gateway') {
        throw new ConfigError(`the ${service} service runs on its own only with STRATA_MODE=distributed; the embedded default runs all services in the gateway process`);
      }
      const running = await startEmbedded(config);
      process.stdout.write(`Strata (embedded) listening on ${running.url ?? '?'}\n`);
      return running;
    }
    const running = await startDistributed(service, config);
    process.stdout.write(`Strata ${service} (distributed) listening on ${running.url ?? '?'}\n`);
    return running;
  };

  start().then(
    (running) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`${signal}: draining and stopping ${service}\n`);
        setTimeout(() => {
          process.stderr.write(`shutdown of ${service} took over ${SHUTDOWN_DEADLINE_MS} ms; exiting without finishing it\n`);
          process.exit(1);
        }, SHUTDOWN_DEADLINE_MS).unref();
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
    },
    (error: unknown) => {
      const message = error instanceof ConfigError ? error.message : `Strata ${service} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      process.stderr.write(`${message}\n`);
      process.exit(1);
    },
  );
}
