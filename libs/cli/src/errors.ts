import { ExitCode } from './exit-codes';

/** A failure the CLI reports as `{"error":{"code","message"}}` (with `--json`) and ends with `exitCode`. */
export class CliError extends Error {
  override readonly name: string = 'CliError';

  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Bad flags, arguments or input: exit 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string) {
    super('usage', message, ExitCode.Usage);
  }
}

/** No HTTP answer from the server: exit 3. */
export class UnreachableError extends CliError {
  override readonly name = 'UnreachableError';

  constructor(url: string, reason: string) {
    super('unreachable', `cannot reach Strata at ${url}: ${reason}`, ExitCode.Unreachable);
  }
}

/** The server answered with a 4xx/5xx (`{"error":{"code","message"}}`): exit 4 for a 404, else 1. */
export class ApiError extends CliError {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, `${status} ${code}: ${message}`, status === 404 ? ExitCode.NotFound : ExitCode.Failure);
  }
}
