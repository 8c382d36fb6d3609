import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { type CommandContext, act } from '../command-context';
import { UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { collect, positiveInteger } from '../options';
import { RateLimiter, parseRate } from '../warm/rate-limiter';
import { warmProgress } from '../warm/warm-progress';
import { mostPopular, parseWarmFile } from '../warm/warm-queries';
import { type WarmSummary, runWarm } from '../warm/warm-runner';
import { warmSender } from '../warm/warm-sender';
import { WarmState } from '../warm/warm-state';

interface WarmOptions {
  readonly from: string;
  readonly top?: number;
  readonly concurrency: number;
  readonly rate?: number;
  readonly state?: string;
  readonly restart: boolean;
  readonly namespace?: string;
  readonly tag?: string[];
  readonly upstreamKey?: string;
  readonly progressEvery: number;
}

const FORMAT_HELP = `
Input (--from): JSON Lines, one question per line, either a chat completion request with optional Strata fields
  {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "How long do I have to return shoes?"}],
   "namespace": "support", "tags": ["doc:returns-policy"], "ttl": 86400, "count": 412, "id": "q-17"}
or an OpenAI Batch API line {"custom_id": "q-17", "method": "POST", "url": "/v1/chat/completions", "body": {…}}
(Strata fields beside "body"). "count" is the question's popularity (lines with the same request add up);
--top keeps the most popular. Lines without "temperature" are sent with temperature 0 (the cacheable one);
"stream" is dropped. Each line's id is its "id"/"custom_id", else a hash of the request.

Each question goes through the gateway's /v1/chat/completions: a miss is answered by the upstream and stored
with its namespace, tags and TTL (X-Strata-Namespace / X-Strata-Tags / X-Strata-TTL); a hit was cached already.

Resume: the ids of answered questions are appended to the state file (--state, default <from>.warm-state) as
they finish. A rerun of an interrupted or partly failed warm skips them; a warm that answers every question
deletes the file. --restart ignores it.

Examples:
  strata warm --from queries.jsonl --top 500 --concurrency 4 --rate 10/s
  strata warm --from batch.jsonl --namespace support --tag catalog --json`;

function readQueries(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--from: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function renderSummary(s: WarmSummary, statePath: string): string {
  const tiers = Object.entries(s.hitsByTier)
    .map(([tier, n]) => `${tier} ${n}`)
    .join(', ');
  const lines = [
    `${s.interrupted ? 'interrupted' : s.unreachable !== undefined ? 'stopped' : 'warmed'}: ${s.done + s.errors} of ${s.total - s.skipped} questions sent in ${s.seconds.toFixed(1)} s` +
      (s.skipped > 0 ? ` (${s.skipped} skipped: done by an earlier run)` : ''),
    `  hits      ${s.hits}${tiers === '' ? '' : ` (${tiers})`}`,
    `  stored    ${s.misses} (misses answered by the upstream)`,
    `  bypassed  ${s.bypassed}`,
    `  errors    ${s.errors}`,
    `  tokens    ${s.tokens.spent} spent on misses, ${s.tokens.cached} in answers already cached`,
  ];
  if (s.errorSamples.length > 0) {
    lines.push(`errors (first ${s.errorSamples.length}):`);
    for (const e of s.errorSamples) lines.push(`  line ${e.line} (${e.id}): ${e.message}`);
  }
  if (s.unreachable !== undefined) lines.push(s.unreachable);
  if (s.interrupted || s.errors > 0 || s.unreachable !== undefined)
    lines.push(`rerun the same command to resume (state: ${statePath})`);
  return lines.join('\n');
}

function exitCode(s: WarmSummary): ExitCode {
  if (s.unreachable !== undefined) return ExitCode.Unreachable;
  if (s.interrupted) return ExitCode.Interrupted;
  return s.errors > 0 ? ExitCode.Failure : ExitCode.Ok;
}

/** `strata warm`: replays popular questions through the proxy so that the cache holds their answers. */
export function warmCommand(context: CommandContext): Command {
  const command = new Command('warm')
    .description('Warm the cache: replay questions (JSONL) through /v1/chat/completions, storing the answers of misses')
    .requiredOption('-f, --from <file>', 'JSON Lines file of questions (format below)')
    .option('--top <n>', 'only the n most popular questions (by "count")', positiveInteger)
    .option('-c, --concurrency <n>', 'questions in flight at once', positiveInteger, 4)
    .option(
      '--rate <rate>',
      'at most this many questions started per second/minute/hour: 10/s, 600/m, 5000/h',
      parseRate,
    )
    .option('--state <file>', 'resume state file (default: <from>.warm-state)')
    .option('--restart', 'ignore the state of an earlier run and warm everything again', false)
    .option('-n, --namespace <namespace>', 'namespace of lines that name none')
    .option('-t, --tag <tag>', 'tag added to every stored answer (repeatable, or comma-separated)', collect)
    .option(
      '--upstream-key <key>',
      'LLM upstream key sent as Authorization when Strata passes it through (env STRATA_UPSTREAM_KEY)',
    )
    .option('--progress-every <seconds>', 'without a terminal: seconds between progress lines', positiveInteger, 5)
    .addHelpText('after', FORMAT_HELP);
  return act(command, context, async (cmd) => {
    const options = cmd.opts<WarmOptions>();
    const output = context.output(cmd);
    const queries = mostPopular(
      parseWarmFile(readQueries(options.from), options.from, { namespace: options.namespace, tags: options.tag ?? [] }),
      options.top,
    );
    const client = context.client(cmd);
    const state = WarmState.open(options.state ?? `${options.from}.warm-state`, options.restart);
    const stop = new AbortController();
    let stops = 0;
    const onSignal = () => {
      stops++;
      if (stops > 1) process.exit(ExitCode.Interrupted);
      output.note('stopping: waiting for the questions in flight (Ctrl-C again to quit now)');
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const skipped = queries.filter((q) => state.has(q.id)).length;
    const progress = warmProgress(context.deps.io, queries.length, skipped, options.progressEvery * 1000);
    let summary: WarmSummary;
    try {
      summary = await runWarm({
        queries,
        send: warmSender(client, { upstreamKey: options.upstreamKey ?? context.deps.env.upstreamKey }),
        concurrency: options.concurrency,
        limiter: options.rate === undefined ? undefined : new RateLimiter(options.rate),
        state,
        stop: stop.signal,
        onProgress: (s) => progress.update(s),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    progress.stop(summary);
    const complete = summary.skipped + summary.done === summary.total;
    if (complete) state.remove();
    else state.close();
    output.result(summary, () => renderSummary(summary, state.path));
    return exitCode(summary);
  });
}
