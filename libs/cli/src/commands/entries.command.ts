import { Command, Option } from 'commander';
import { entryIdSchema } from '@strata/contracts';
import { type CommandContext, act } from '../command-context';
import { ExitCode } from '../exit-codes';
import { positiveInteger, validated } from '../options';
import { renderCounts, renderFields } from '../output/render';

function entryPath(raw: string): string {
  return `/v1/cache/entries/${validated(entryIdSchema, raw, 'entry id')}`;
}

interface ListOptions {
  readonly namespace?: string;
  readonly tag?: string;
  readonly search?: string;
  readonly sort?: 'hits' | 'recent';
  readonly limit: number;
  readonly cursor?: string;
  readonly tenant?: string;
}

interface ListedEntry {
  readonly id: string;
  readonly namespace: string;
  readonly query: string;
  readonly tags: string[];
  readonly hits: number;
  readonly lastHitAt: string | null;
  readonly ttl: number;
}

function renderList(page: { entries: ListedEntry[]; nextCursor: string | null }): string {
  const rows = page.entries.map(
    (e) => `${e.id}  ${String(e.hits).padStart(6)}  ${e.namespace.padEnd(12)}  ${e.query.slice(0, 80)}`,
  );
  const header = `${'id'.padEnd(36)}  ${'hits'.padStart(6)}  ${'namespace'.padEnd(12)}  question`;
  const more = page.nextCursor === null ? [] : [`more: --cursor ${page.nextCursor}`];
  return page.entries.length === 0 ? 'no entries' : [header, ...rows, ...more].join('\n');
}

/** `strata entries ls|get|rm`: list and search entries, or one cache entry by id (ids are in lookups' and the proxy's `X-Strata-Entry-Id`). */
export function entriesCommand(context: CommandContext): Command {
  const entries = new Command('entries').description('List, read or delete cache entries').addHelpText(
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

  const ls = act(
    new Command('ls')
      .alias('list')
      .description("List and search the tenant's entries, most hit first with --sort hits (GET /v1/cache/entries)")
      .option('-n, --namespace <name>', 'only this namespace')
      .option('-t, --tag <tag>', 'only entries with this tag')
      .option('-q, --search <text>', 'only entries whose question contains this text (case-insensitive)')
      .addOption(
        new Option('--sort <order>', 'hits (most hit first) or recent (most recently hit first)').choices([
          'hits',
          'recent',
        ]),
      )
      .option('--limit <n>', 'entries per page (at most 200)', positiveInteger, 20)
      .option('--cursor <cursor>', 'the next page (printed under a full page)')
      .option('--tenant <tenant>', 'with an admin key: the tenant to list'),
    context,
    async (cmd) => {
      const options = cmd.opts<ListOptions>();
      const params = new URLSearchParams({ limit: String(options.limit) });
      const given = { namespace: options.namespace, tag: options.tag, q: options.search, sort: options.sort };
      for (const [name, value] of Object.entries({ ...given, cursor: options.cursor, tenant: options.tenant }))
        if (value !== undefined) params.set(name, value);
      const page = (await context.client(cmd).call('GET', `/v1/cache/entries?${params.toString()}`)) as {
        entries: ListedEntry[];
        nextCursor: string | null;
      };
      context.output(cmd).result(page, () => renderList(page));
      return ExitCode.Ok;
    },
  );

  return entries.addCommand(ls).addCommand(get).addCommand(rm);
}
