import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { type ImportedEntry, MAX_IMPORT_BATCH, importedEntrySchema } from '@strata/contracts';
import { type TransferProgress } from './transfer-progress';
import { type TransferState } from './transfer-state';

interface ImportTarget {
  call(method: string, path: string, body: unknown): Promise<unknown>;
}

export interface ImportStateFile {
  /** Lines of the file handled (stored, skipped or invalid). */
  readonly lines: number;
  readonly stored: number;
  readonly skipped: number;
  readonly invalid: number;
}

interface ImportSummary extends ImportStateFile {
  /** Lines handled by an earlier run this one resumed after. */
  readonly resumed: number;
  readonly interrupted: boolean;
  /** The first invalid lines, for the user to fix. */
  readonly invalidSamples: Array<{ readonly line: number; readonly message: string }>;
}

/** Counts the lines of a file without holding it (for the progress bar's total). */
export async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity }))
    if (line.trim() !== '') lines++;
  return lines;
}

/**
 * Streams a JSONL export into `POST /v1/cache/import`, `batch` entries a call, saving the line reached after each
 * call: an interrupted import resumes after the last batch the gateway answered (a batch sent twice stores the
 * same entries again: idempotent). Invalid lines are counted and reported, never sent.
 */
export async function runImport(options: {
  readonly target: ImportTarget;
  readonly from: string;
  readonly batch: number;
  readonly state: TransferState<ImportStateFile>;
  readonly restart: boolean;
  readonly progress: (resumed: number) => TransferProgress;
  readonly interrupted: () => boolean;
}): Promise<ImportSummary> {
  const previous = options.state.read(options.restart);
  const resumed = previous?.lines ?? 0;
  let { lines, stored, skipped, invalid } = previous ?? { lines: 0, stored: 0, skipped: 0, invalid: 0 };
  const invalidSamples: Array<{ line: number; message: string }> = [];
  const progress = options.progress(resumed);
  const detail = () => `stored ${stored}, skipped ${skipped}, invalid ${invalid}`;
  let pending: ImportedEntry[] = [];
  let pendingLines = 0;
  let interrupted = false;

  const flush = async () => {
    if (pendingLines === 0) return;
    if (pending.length > 0) {
      const reply = (await options.target.call('POST', '/v1/cache/import', { entries: pending })) as {
        stored: number;
        skipped: number;
      };
      stored += reply.stored;
      skipped += reply.skipped;
    }
    lines += pendingLines;
    pending = [];
    pendingLines = 0;
    options.state.save({ lines, stored, skipped, invalid });
    progress.update(lines, detail());
  };

  let number = 0;
  const input = createInterface({ input: createReadStream(options.from), crlfDelay: Infinity });
  for await (const raw of input) {
    if (raw.trim() === '') continue;
    number++;
    if (number <= resumed) continue;
    if (options.interrupted()) {
      interrupted = true;
      break;
    }
    pendingLines++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const entry = importedEntrySchema.safeParse(parsed);
    if (entry.success) pending.push(entry.data);
    else {
      invalid++;
      if (invalidSamples.length < 5)
        invalidSamples.push({
          line: number,
          message: parsed === undefined ? 'not JSON' : (entry.error.issues[0]?.message ?? 'invalid'),
        });
    }
    if (pendingLines >= Math.min(options.batch, MAX_IMPORT_BATCH)) await flush();
  }
  input.close();
  if (!interrupted) await flush();
  progress.stop(lines, detail());
  if (!interrupted) options.state.remove();
  return { lines, stored, skipped, invalid, resumed, interrupted, invalidSamples };
}
