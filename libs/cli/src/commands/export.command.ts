import { Command } from 'commander';
import { type CommandContext, act } from '../command-context';
import { ExitCode } from '../exit-codes';
import { positiveInteger } from '../options';
import { type ExportStateFile, runExport } from '../transfer/export-runner';
import { transferProgress } from '../transfer/transfer-progress';
import { TransferState } from '../transfer/transfer-state';
import { untilStopped } from '../transfer/stop-signal';

interface ExportOptions {
  readonly out?: string;
  readonly namespace?: string;
  readonly tag?: string;
  readonly search?: string;
  readonly tenant?: string;
  readonly restart: boolean;
  readonly progressEvery: number;
}

/** `strata export`: a tenant's entries as JSON Lines (streamed page by page, resumable). */
export function exportCommand(context: CommandContext): Command {
  const command = new Command('export')
    .description("Write the tenant's cache entries as JSON Lines, one entry a line (GET /v1/cache/entries)")
    .option('-o, --out <file>', 'write to this file (resumable); default: stdout')
    .option('-n, --namespace <name>', 'only this namespace')
    .option('-t, --tag <tag>', 'only entries with this tag')
    .option('-q, --search <text>', 'only entries whose question contains this text')
    .option('--tenant <tenant>', 'with an admin key: the tenant to export')
    .option('--restart', 'ignore the resume state of an earlier, interrupted export', false)
    .option('--progress-every <seconds>', 'progress line interval when stderr is not a terminal', positiveInteger, 5)
    .addHelpText(
      'after',
      `
Each line: {"id","namespace","namespaceVersion","model","exactKey","contextHash","query","tags","createdAt",
"expiresAt","hits","response"} — what "strata import" stores again under the same keys (same tenant).
With --out, the cursor is saved in <file>.export-state after each page: rerun the same command to resume.`,
    );
  return act(command, context, async (cmd) => {
    const options = cmd.opts<ExportOptions>();
    const output = context.output(cmd);
    const client = context.client(cmd);
    const filter = { namespace: options.namespace, tag: options.tag, q: options.search, tenant: options.tenant };
    const estimate = async () => {
      if (options.tag !== undefined || options.search !== undefined) return 0;
      const query = options.tenant === undefined ? '' : `?tenant=${encodeURIComponent(options.tenant)}`;
      const { namespaces } = (await client.call('GET', `/v1/cache/namespaces${query}`)) as {
        namespaces: Array<{ name: string; entries: number }>;
      };
      return namespaces
        .filter((n) => options.namespace === undefined || n.name === options.namespace)
        .reduce((sum, n) => sum + n.entries, 0);
    };
    const total = await estimate();
    const summary = await untilStopped(output, (stopped) =>
      runExport({
        source: client,
        filter,
        out: options.out,
        write: (text) => context.deps.io.stdout.write(text),
        state:
          options.out === undefined ? undefined : new TransferState<ExportStateFile>(`${options.out}.export-state`),
        restart: options.restart,
        progress: (resumed) =>
          transferProgress(context.deps.io, 'export', total, resumed, options.progressEvery * 1000),
        interrupted: stopped,
      }),
    );
    if (options.out !== undefined)
      output.result(summary, () =>
        summary.interrupted
          ? `interrupted after ${summary.resumed + summary.written} entries: rerun the same command to resume`
          : `exported ${summary.resumed + summary.written} entries to ${options.out}` +
            (summary.resumed > 0 ? ` (${summary.resumed} by an earlier run)` : ''),
      );
    return summary.interrupted ? ExitCode.Interrupted : ExitCode.Ok;
  });
}
