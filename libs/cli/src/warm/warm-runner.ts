import { UnreachableError } from '../errors';
import { type RateLimiter } from './rate-limiter';
import { type WarmQuery } from './warm-queries';
import { type WarmOutcome } from './warm-sender';
import { type WarmState } from './warm-state';

export interface WarmError {
  readonly id: string;
  readonly line: number;
  readonly message: string;
}

/** What a warm did; `--json` prints it as is. */
export interface WarmSummary {
  /** Queries selected (after `--top`). */
  total: number;
  /** Done by an earlier, interrupted run (in the state file): not sent again. */
  skipped: number;
  /** Sent and answered (hit, miss or bypass) in this run. */
  done: number;
  hits: number;
  hitsByTier: Record<string, number>;
  /** Answered by the upstream and stored by the proxy. */
  misses: number;
  /** Not cacheable as sent (e.g. `temperature > 0` under the default policy). */
  bypassed: number;
  errors: number;
  /** Tokens the upstream spent on this run's misses, and tokens of the answers found already cached. */
  tokens: { spent: number; cached: number };
  /** The first errors (at most 10). */
  errorSamples: WarmError[];
  interrupted: boolean;
  /** Set when the server stopped answering: the run ended early (exit 3). */
  unreachable: string | undefined;
  seconds: number;
}

interface WarmRun {
  readonly queries: readonly WarmQuery[];
  readonly send: (query: WarmQuery, signal?: AbortSignal) => Promise<WarmOutcome>;
  readonly concurrency: number;
  readonly limiter: RateLimiter | undefined;
  readonly state: WarmState;
  /** Aborted: no new query starts, those in flight finish. */
  readonly stop: AbortSignal;
  readonly onProgress?: (summary: Readonly<WarmSummary>) => void;
  readonly now?: () => number;
}

const MAX_ERROR_SAMPLES = 10;

function emptySummary(total: number, skipped: number): WarmSummary {
  return {
    total,
    skipped,
    done: 0,
    hits: 0,
    hitsByTier: {},
    misses: 0,
    bypassed: 0,
    errors: 0,
    tokens: { spent: 0, cached: 0 },
    errorSamples: [],
    interrupted: false,
    unreachable: undefined,
    seconds: 0,
  };
}

/**
 * Replays the queries not yet in the state, `concurrency` at a time and no faster than the limiter allows;
 * each answered query (hit, miss or bypass) is recorded in the state as it finishes, errors are not (a
 * rerun retries them). An unreachable server stops the run (`unreachable` says why) once the queries in flight end.
 */
export async function runWarm(run: WarmRun): Promise<WarmSummary> {
  const now = run.now ?? Date.now;
  const started = now();
  const pending = run.queries.filter((q) => !run.state.has(q.id));
  const summary = emptySummary(run.queries.length, run.queries.length - pending.length);
  let next = 0;
  const halted = () => run.stop.aborted || summary.unreachable !== undefined;

  const record = (query: WarmQuery, outcome: WarmOutcome) => {
    switch (outcome.kind) {
      case 'hit':
        summary.hits++;
        summary.hitsByTier[outcome.tier] = (summary.hitsByTier[outcome.tier] ?? 0) + 1;
        summary.tokens.cached += outcome.tokens;
        break;
      case 'miss':
        summary.misses++;
        summary.tokens.spent += outcome.tokens;
        break;
      case 'bypass':
        summary.bypassed++;
        break;
      case 'error':
        summary.errors++;
        if (summary.errorSamples.length < MAX_ERROR_SAMPLES)
          summary.errorSamples.push({ id: query.id, line: query.line, message: outcome.message });
        return;
    }
    summary.done++;
    run.state.markDone(query.id);
  };

  const worker = async () => {
    while (!halted() && next < pending.length) {
      await run.limiter?.take();
      if (halted()) return;
      const query = pending[next++];
      if (query === undefined) return;
      try {
        record(query, await run.send(query));
      } catch (error) {
        if (error instanceof UnreachableError) {
          summary.unreachable ??= error.message;
          return;
        }
        record(query, { kind: 'error', message: error instanceof Error ? error.message : String(error) });
      }
      summary.seconds = (now() - started) / 1000;
      run.onProgress?.(summary);
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, Math.min(run.concurrency, pending.length)) }, worker));
  summary.seconds = (now() - started) / 1000;
  summary.interrupted = run.stop.aborted && summary.done + summary.errors < pending.length;
  return summary;
}
