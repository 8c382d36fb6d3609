import { runService } from './run-service';
import { type ServiceName } from './transport-factory';

/** What a service's `main.ts` needs of the process (the real `process`, or a fake in tests). */
export interface MainProcess {
  readonly argv: readonly string[];
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  exit(code: number): void;
}

/**
 * A service entry point's command line: `--help`/`-h` prints `usage` and exits 0 without starting anything, any
 * other argument is a usage error (exit 2, with the usage on stderr), and none starts the service (configured by
 * environment variables only).
 */
export function serviceMain(
  service: ServiceName,
  usage: string,
  proc: MainProcess = process,
  start: (service: ServiceName) => void = runService,
): void {
  const args = proc.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    proc.stdout.write(usage);
    proc.exit(0);
  } else if (args.length > 0) {
    proc.stderr.write(`unknown argument: ${args[0]}\n\n${usage}`);
    proc.exit(2);
  } else {
    start(service);
  }
}
