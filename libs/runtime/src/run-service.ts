import { ConfigError, loadConfig } from '@strata/config';
import { Tracing } from '@strata/observability';
import { type RunningStrata, startDistributed, startEmbedded } from './start-strata';
import { logFormat, startupBanner } from './startup-banner';
import { type ServiceName } from './transport-factory';

/**
 * Longest graceful shutdown: draining normally takes well under a second, but closing Kafka clients while
 * the broker is unreachable retries for long. Kubernetes' grace period (30 s) is above this.
 */
const SHUTDOWN_DEADLINE_MS = 10_000;

/** What `superviseService` needs of the process (the real `process`, or a fake in tests). */
export interface ServiceProcess {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exit(code: number): void;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/**
 * Runs `start` under signal handling installed before it begins: a SIGTERM/SIGINT while the service is
 * still starting (waiting minutes for a broker, say) exits at once — there is nothing to drain yet, and
 * a pod being replaced must not sit out its whole grace period to be SIGKILLed. Once started, a signal
 * drains and stops it within {@link SHUTDOWN_DEADLINE_MS}.
 */
export function superviseService(
  service: string,
  start: () => Promise<RunningStrata>,
  proc: ServiceProcess,
  deadlineMs = SHUTDOWN_DEADLINE_MS,
): void {
  let running: RunningStrata | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!running) {
      proc.stdout.write(`${signal} while ${service} was starting: exiting\n`);
      proc.exit(0);
      return;
    }
    proc.stdout.write(`${signal}: draining and stopping ${service}\n`);
    setTimeout(() => {
      proc.stderr.write(`shutdown of ${service} took over ${deadlineMs} ms; exiting without finishing it\n`);
      proc.exit(1);
    }, deadlineMs).unref();
    running.stop().then(
      () => proc.exit(0),
      (error: unknown) => {
        proc.stderr.write(`shutdown failed: ${String(error)}\n`);
        proc.exit(1);
      },
    );
  };
  proc.once('SIGTERM', () => stop('SIGTERM'));
  proc.once('SIGINT', () => stop('SIGINT'));

  start().then(
    (started) => {
      running = started;
    },
    (error: unknown) => {
      if (stopping) return;
      const message =
        error instanceof ConfigError
          ? error.message
          : `Strata ${service} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      proc.stderr.write(`${message}\n`);
      proc.exit(1);
    },
  );
}

/**
 * The whole `main()` of every app: parse config once, start the service (or, for the gateway in the
 * embedded default, all four), print where it listens, drain and stop on SIGTERM/SIGINT — handled from
 * the first line, also while starting.
 */
export function runService(service: ServiceName): void {
  const start = async (): Promise<RunningStrata> => {
    const config = loadConfig();
    if (config.mode === 'embedded' && service !== 'gateway') {
      throw new ConfigError(
        `the ${service} service runs on its own only with STRATA_MODE=distributed; the embedded default runs all services in the gateway process`,
      );
    }
    // Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; the embedded default's services share the process's tracer.
    Tracing.start(config.tracing, config.mode === 'embedded' ? 'strata' : `strata-${service}`);
    const running = config.mode === 'embedded' ? await startEmbedded(config) : await startDistributed(service, config);
    const format = logFormat(config, process.stdout.isTTY === true);
    process.stdout.write(startupBanner(service, config, running.url ?? '?', format));
    return {
      ...running,
      stop: async () => {
        await running.stop();
        await Tracing.shutdown();
      },
    };
  };
  superviseService(service, start, process);
}
