import { Command, CommanderError } from 'commander';
import { type CliDeps, CommandContext, DEFAULT_URL } from './command-context';
import { calibrateCommand } from './commands/calibrate.command';
import { entriesCommand } from './commands/entries.command';
import { exportCommand } from './commands/export.command';
import { importCommand } from './commands/import.command';
import { lookupCommand } from './commands/lookup.command';
import { publishCommand } from './commands/publish.command';
import { purgeCommand } from './commands/purge.command';
import { serveCommand } from './commands/serve.command';
import { statsCommand } from './commands/stats.command';
import { warmCommand } from './commands/warm.command';
import { CliError } from './errors';
import { ExitCode } from './exit-codes';
import { positiveNumber } from './options';
import { Output } from './output/output';

const EXIT_CODES_HELP = `
Exit codes: 0 ok (lookup: hit) · 1 the server answered an error (warm: some requests failed) · 2 usage error ·
3 server unreachable · 4 lookup miss/bypass or no such entry · 130 interrupted.`;

function program(context: CommandContext): Command {
  const { io, env } = context.deps;
  const root = new Command('strata')
    .description('Strata: a layered cache for LLM traffic. Run it, inspect it, purge it, warm it.')
    .option('--url <url>', 'the Strata gateway (env STRATA_URL)', env.url ?? DEFAULT_URL)
    .option('--key <key>', 'Strata API key, sent as X-Strata-Key (env STRATA_KEY)')
    .option('--json', 'print results (and errors) as one line of JSON, for scripts', false)
    .option('--timeout <seconds>', 'per-request timeout', positiveNumber, 30)
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  for (const command of [
    serveCommand,
    statsCommand,
    lookupCommand,
    entriesCommand,
    purgeCommand,
    publishCommand,
    warmCommand,
    exportCommand,
    importCommand,
    calibrateCommand,
  ])
    root.addCommand(command(context));
  // Commands built with `new Command()` inherit nothing: every level reports usage errors the same way.
  const inherit = (parent: Command) => {
    for (const child of parent.commands) {
      child.exitOverride().configureOutput(root.configureOutput()).showHelpAfterError('(run with --help for usage)');
      inherit(child);
    }
  };
  inherit(root);
  return root;
}

/**
 * Runs the `strata` CLI on `argv` (as `process.argv`: node, script, args…). Resolves with the exit code, or
 * `undefined` when the command (`serve`) keeps the process running.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number | undefined> {
  const context = new CommandContext(deps);
  const cli = program(context);
  try {
    await cli.parseAsync([...argv]);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    const output = new Output(deps.io, argv.includes('--json'));
    if (error instanceof CliError) {
      output.error(error);
      return error.exitCode;
    }
    output.error(
      new CliError(
        'internal',
        error instanceof Error ? (error.stack ?? error.message) : String(error),
        ExitCode.Failure,
      ),
    );
    return ExitCode.Failure;
  }
}
