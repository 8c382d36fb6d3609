import { type Command } from 'commander';
import { type CliEnv } from '@strata/config';
import { type ExitCode } from './exit-codes';
import { StrataClient } from './http/strata-client';
import { type CliIo, Output } from './output/output';

/** What the CLI needs from the process that runs it (the app wires the real ones; tests pass fakes). */
export interface CliDeps {
  readonly io: CliIo;
  readonly env: CliEnv;
  /** `strata serve`: starts the embedded server, which then owns the process (signals, exit). */
  serve(): void;
}

/** The global options every command sees. */
interface GlobalOptions {
  readonly url: string;
  readonly key?: string;
  readonly json: boolean;
  /** Seconds. */
  readonly timeout: number;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Built once per run; commands take their client and output from it. */
export class CommandContext {
  /** What the run exits with; `undefined` while a command (serve) keeps the process. */
  exitCode: ExitCode | undefined;

  constructor(readonly deps: CliDeps) {}

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals<GlobalOptions>();
  }

  output(command: Command): Output {
    return new Output(this.deps.io, this.globals(command).json);
  }

  client(command: Command): StrataClient {
    const { url, key, timeout } = this.globals(command);
    // Keys are not option defaults: help would print them.
    return new StrataClient({ url, key: key ?? this.deps.env.key, timeoutMs: timeout * 1000 });
  }
}

/** Runs `handler` as the command's action and records its exit code. */
export function act(
  command: Command,
  context: CommandContext,
  handler: (command: Command) => Promise<ExitCode | undefined>,
): Command {
  return command.action(async (...args: unknown[]) => {
    context.exitCode = await handler(args[args.length - 1] as Command);
  });
}
