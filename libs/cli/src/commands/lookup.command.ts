import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { lookupRequestSchema } from '@strata/contracts';
import { type CommandContext, act } from '../command-context';
import { UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { nonNegativeNumber, unitInterval, validated } from '../options';
import { renderFields } from '../output/render';

interface LookupOptions {
  readonly model?: string;
  readonly system?: string;
  readonly namespace?: string;
  readonly mode?: 'exact' | 'semantic' | 'auto';
  readonly threshold?: number;
  readonly temperature: number;
  readonly request?: string;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new UsageError(`--request: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--request: ${path} is not valid JSON`);
  }
}

/** The lookup body: a `--request` file as it is, or one built from the question and flags; flags given explicitly win. */
function lookupBody(question: string | undefined, options: LookupOptions): unknown {
  const fromFile = options.request === undefined ? undefined : readJson(options.request);
  if (fromFile !== undefined && (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)))
    throw new UsageError('--request: expected a JSON object');
  const body: Record<string, unknown> = { ...(fromFile as Record<string, unknown> | undefined) };
  if (fromFile === undefined) {
    if (question === undefined) throw new UsageError('give the question, or --request <file>');
    body['messages'] = [
      ...(options.system === undefined ? [] : [{ role: 'system', content: options.system }]),
      { role: 'user', content: question },
    ];
    body['params'] = { temperature: options.temperature };
  } else if (question !== undefined) {
    throw new UsageError('give either the question or --request, not both');
  }
  if (options.model !== undefined) body['model'] = options.model;
  if (options.namespace !== undefined) body['namespace'] = options.namespace;
  if (options.mode !== undefined) body['mode'] = options.mode;
  if (options.threshold !== undefined) body['threshold'] = options.threshold;
  return validated(lookupRequestSchema, body, 'lookup');
}

interface LookupReply {
  readonly hit: boolean;
  readonly status: string;
  readonly tier?: string;
  readonly id?: string;
  readonly similarity?: number;
  readonly age?: number;
  readonly ttl?: number;
  readonly ticket?: number;
  readonly reason?: string;
  readonly response?: unknown;
}

function renderLookup(reply: LookupReply): string {
  if (!reply.hit) {
    const detail =
      reply.status === 'bypass'
        ? `BYPASS (${reply.reason ?? 'not cacheable'})`
        : `MISS${reply.ticket === undefined ? '' : ` (ticket ${reply.ticket})`}`;
    return detail;
  }
  const { response, hit: _hit, status: _status, tier: _tier, ...meta } = reply;
  return `HIT ${reply.tier ?? ''}\n${renderFields(meta)}\nresponse:\n${JSON.stringify(response, null, 2)}`;
}

/** `strata lookup`: asks the cache (never the LLM) whether it holds an answer. */
export function lookupCommand(context: CommandContext): Command {
  const command = new Command('lookup')
    .description('Look an answer up in the cache (POST /v1/cache/lookup); exit 0 on a hit, 4 on a miss or bypass')
    .argument('[question]', 'the user message')
    .option('-m, --model <model>', 'model the answer is for (required unless in --request)')
    .option('-s, --system <text>', 'system prompt')
    .option('-n, --namespace <namespace>', 'namespace')
    .addOption(new Option('--mode <mode>', 'which tiers may answer').choices(['exact', 'semantic', 'auto']))
    .option('--threshold <similarity>', 'semantic threshold, 0..1', unitInterval)
    .option(
      '--temperature <t>',
      'params.temperature of the request (only 0 is cacheable by default)',
      nonNegativeNumber,
      0,
    )
    .option('--request <file>', 'the whole lookup body as JSON (`-` reads stdin), as POST /v1/cache/lookup takes it')
    .addHelpText(
      'after',
      `
Examples:
  strata lookup -m gpt-4o-mini -s "You are the support bot of a shoe shop." "How long do I have to return shoes?"
  strata lookup --request lookup.json --json`,
    );
  return act(command, context, async (cmd) => {
    const [question] = cmd.processedArgs as [string | undefined];
    const body = lookupBody(question, cmd.opts<LookupOptions>());
    const reply = (await context.client(cmd).call('POST', '/v1/cache/lookup', body)) as LookupReply;
    context.output(cmd).result(reply, () => renderLookup(reply));
    return reply.hit ? ExitCode.Ok : ExitCode.NotFound;
  });
}
