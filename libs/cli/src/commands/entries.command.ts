import { Command } from 'commander';
import { entryIdSchema } from '@strata/contracts';
import { type CommandContext, act } from '../command-context';
import { ExitCode } from '../exit-codes';
import { validated } from '../options';
import { renderCounts, renderFields } from '../output/render';

function entryPath(raw: string): string {
  return `/v1/cache/entries/${validated(entryIdSchema, raw, 'entry id')}`;
}

/** `strata entries get|rm <id>`: one cache entry by id (ids are in lookups' and the proxy's `X-Strata-Entry-Id`). */
export function entriesCommand(context: CommandContext): Command {
  const entries = new Command('entries').description('Read or delete one cache entry by id').addHelpText(
    'after',
    `
Entry ids come from lookups ("id") and from the proxy's X-Strata-Entry-Id response header.
Exit code 4 when the entry does not exist (or belongs to another tenant).`,
  );

  const get = act(
    new Command('get')
      .description('Show an entry: namespace, model, query, tags, age, ttl, response (GET /v1/cache/entries/:id)')
      .argument('<id>', 'entry id'),
    context,
    async (cmd) => {
      const [id] = cmd.processedArgs as [string];
      const entry = (await context.client(cmd).call('GET', entryPath(id))) as Record<string, unknown>;
      context.output(cmd).result(entry, () => {
        const { response, ...meta } = entry;
        return `${renderFields(meta)}\nresponse:\n${JSON.stringify(response, null, 2)}`;
      });
      return ExitCode.Ok;
    },
  );

  const rm = act(
    new Command('rm')
      .alias('delete')
      .description('Delete an entry from every tier, with every copy backfilled from it (DELETE /v1/cache/entries/:id)')
      .argument('<id>', 'entry id'),
    context,
    async (cmd) => {
      const [id] = cmd.processedArgs as [string];
      const reply = (await context.client(cmd).call('DELETE', entryPath(id))) as { id?: string; purged?: unknown };
      context.output(cmd).result(reply, () => `deleted ${reply.id ?? id}: purged ${renderCounts(reply.purged)}`);
      return ExitCode.Ok;
    },
  );

  return entries.addCommand(get).addCommand(rm);
}
