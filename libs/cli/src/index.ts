export { runCli } from './cli';
export type { CliDeps } from './command-context';
export { ExitCode } from './exit-codes';
export type { CliIo } from './output/output';
