import { Command } from 'commander';
import { type CommandContext, act } from '../command-context';
import { ExitCode } from '../exit-codes';
import { renderFields } from '../output/render';

/** `strata stats`: the gateway's lookups, hits per tier, misses, hit ratio, entries per tier, tokens and money saved. */
export function statsCommand(context: CommandContext): Command {
  const command = new Command('stats').description(
    'Show cache statistics: lookups, hits per tier, hit ratio, entries, tokens and money saved (GET /v1/cache/stats)',
  );
  return act(command, context, async (cmd) => {
    const stats = await context.client(cmd).call('GET', '/v1/cache/stats');
    context.output(cmd).result(stats, () => renderFields(stats));
    return ExitCode.Ok;
  });
}
