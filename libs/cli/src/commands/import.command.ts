import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { MAX_IMPORT_BATCH } from '@strata/contracts';
import { type CommandContext, act } from '../command-context';
import { UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { positiveInteger } from '../options';
import { type ImportStateFile, countLines, runImport } from '../transfer/import-runner';
import { transferProgress } from '../transfer/transfer-progress';
import { TransferState } from '../transfer/transfer-state';
import { untilStopped } from '../transfer/stop-signal';

interface ImportOptions {
  readonly from: string;
  readonly batch: number;
  readonly restart: boolean;
  readonly progressEvery: number;
}

/** `strata import`: stores the entries of a `strata export` file again (streamed, resumable). */
export function importCommand(context: CommandContext): Command {
  const command = new Command('import')
    .description('Store the entries of a "strata export" file again, under the same keys (POST /v1/cache/import)')
    .requiredOption('-f, --from <file>', 'a JSON Lines file written by "strata export"')
    .option('--batch <n>', `entries per request (at most ${MAX_IMPORT_BATCH})`, positiveInteger, MAX_IMPORT_BATCH)
    .option('--restart', 'ignore the resume state of an earlier, interrupted import', false)
    .option('--progress-every <seconds>', 'progress line interval when stderr is not a terminal', positiveInteger, 5)
    .addHelpText(
      'after',
      `
Entries keep the time they have left (capped by their namespace's maximum TTL); expired ones are skipped. Keys
embed the tenant that computed them: import into the tenant the export came from. The line reached is saved in
<file>.import-state after each batch: rerun the same command to resume. Exit code 1 when some lines are invalid.`,
    );
  return act(command, context, async (cmd) => {
    const options = cmd.opts<ImportOptions>();
    if (options.batch > MAX_IMPORT_BATCH) throw new UsageError(`--batch: at most ${MAX_IMPORT_BATCH}`);
    if (!existsSync(options.from)) throw new UsageError(`--from: cannot read ${options.from}: no such file`);
    const output = context.output(cmd);
    const client = context.client(cmd);
    const total = await countLines(options.from);
    const state = new TransferState<ImportStateFile>(`${options.from}.import-state`);
    const summary = await untilStopped(output, (stopped) =>
      runImport({
        target: client,
        from: options.from,
        batch: options.batch,
        state,
        restart: options.restart,
        progress: (resumed) =>
          transferProgress(context.deps.io, 'import', total, resumed, options.progressEvery * 1000),
        interrupted: stopped,
      }),
    );
    output.result(summary, () => {
      const lines = [
        `${summary.interrupted ? 'interrupted' : 'imported'}: ${summary.lines} of ${total} lines` +
          (summary.resumed > 0 ? ` (${summary.resumed} by an earlier run)` : ''),
        `  stored   ${summary.stored}`,
        `  skipped  ${summary.skipped} (expired, or purged since the export)`,
        `  invalid  ${summary.invalid}`,
        ...summary.invalidSamples.map((s) => `  line ${s.line}: ${s.message}`),
      ];
      if (summary.interrupted) lines.push(`rerun the same command to resume (state: ${state.path})`);
      return lines.join('\n');
    });
    if (summary.interrupted) return ExitCode.Interrupted;
    return summary.invalid > 0 ? ExitCode.Failure : ExitCode.Ok;
  });
}
