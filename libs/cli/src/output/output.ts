import { type CliError } from '../errors';

/** Where the CLI writes: the process' streams, or buffers in tests. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

/**
 * Results go to stdout, everything else (progress, notes, errors) to stderr. With `--json` a result is one
 * line of JSON and an error is `{"error":{"code","message"}}`, so scripts can parse both.
 */
export class Output {
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** A command's result: `data` as JSON with `--json`, else the human lines. */
  result(data: unknown, human: () => string): void {
    this.io.stdout.write(this.json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
  }

  /** A note for people (progress, hints); never on stdout, so `--json` output stays parseable. */
  note(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  error(error: CliError): void {
    this.io.stderr.write(
      this.json
        ? `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`
        : `strata: ${error.message}\n`,
    );
  }
}
