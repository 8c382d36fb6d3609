import { Command } from 'commander';
import { purgeRequestSchema } from '@strata/contracts';
import { type CommandContext, act } from '../command-context';
import { ExitCode } from '../exit-codes';
import { collect, unitInterval, validated } from '../options';
import { renderCounts } from '../output/render';

interface PurgeOptions {
  readonly tag?: string[];
  readonly namespace?: string;
  readonly like?: string;
  readonly minSimilarity: number;
}

/** How close a question must be to `--like` to be purged when `--min-similarity` is not given. */
export const DEFAULT_LIKE_SIMILARITY = 0.9;

/** `strata purge`: removes entries from every tier now, by tags, namespace or meaning, and reports the counts. */
export function purgeCommand(context: CommandContext): Command {
  const command = new Command('purge')
    .description('Purge entries from every tier now, by tag, namespace or meaning (POST /v1/cache/purge)')
    .option('-t, --tag <tag>', 'purge entries tagged with this (repeatable, or comma-separated)', collect)
    .option('-n, --namespace <namespace>', 'purge the namespace (with --tag or --like: only within it)')
    .option('--like <text>', 'purge entries whose question means about the same as this text')
    .option(
      '--min-similarity <cosine>',
      'with --like: the least cosine similarity to purge, 0..1',
      unitInterval,
      DEFAULT_LIKE_SIMILARITY,
    )
    .addHelpText(
      'after',
      `
Examples:
  strata purge --tag doc:returns-policy
  strata purge --namespace support
  strata purge --like "How do I return shoes and get a refund?" --min-similarity 0.8`,
    );
  return act(command, context, async (cmd) => {
    const options = cmd.opts<PurgeOptions>();
    const body = validated(
      purgeRequestSchema,
      {
        ...(options.tag === undefined ? {} : { tags: options.tag }),
        ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
        ...(options.like === undefined
          ? {}
          : { semantic: { text: options.like, minSimilarity: options.minSimilarity } }),
      },
      'purge (give --tag, --namespace or --like)',
    );
    const reply = (await context.client(cmd).call('POST', '/v1/cache/purge', body)) as {
      purged?: unknown;
      semantic?: { matched?: number; truncated?: boolean };
    };
    context.output(cmd).result(reply, () => {
      const semantic =
        reply.semantic === undefined
          ? ''
          : `\nmatched ${reply.semantic.matched ?? 0}${reply.semantic.truncated ? ' (truncated: run it again for the rest)' : ''}`;
      return `purged ${renderCounts(reply.purged)}${semantic}`;
    });
    return ExitCode.Ok;
  });
}
