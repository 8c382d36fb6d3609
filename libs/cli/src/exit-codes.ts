/** Exit codes of the `strata` CLI: what a script can branch on. */
export const ExitCode = {
  /** Done; for `lookup`, a hit. */
  Ok: 0,
  /** The server answered with an error, or (`warm`) some requests failed. */
  Failure: 1,
  /** Bad flags, arguments or input file: nothing was sent. */
  Usage: 2,
  /** The server did not answer at all (connection refused, unknown host, timeout). */
  Unreachable: 3,
  /** `lookup` missed (or bypassed the cache); `entries get|rm` of an id that does not exist. */
  NotFound: 4,
  /** Stopped by Ctrl-C / SIGINT / SIGTERM (`warm` keeps its progress: rerun to resume). */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
