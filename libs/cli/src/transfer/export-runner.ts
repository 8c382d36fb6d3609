import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { type ImportedEntry } from '@strata/contracts';
import { type TransferProgress } from './transfer-progress';
import { type TransferState } from './transfer-state';

/** The gateway's reads an export needs (the CLI's HTTP client; a fake in tests). */
interface ExportSource {
  call(method: string, path: string): Promise<unknown>;
}

interface ExportFilter {
  readonly namespace?: string | undefined;
  readonly tag?: string | undefined;
  readonly q?: string | undefined;
  /** Admin keys: the tenant to export. */
  readonly tenant?: string | undefined;
}

export interface ExportStateFile {
  /** The listing's next cursor; null once every page was written. */
  readonly cursor: string | null;
  readonly written: number;
}

interface ExportSummary {
  readonly written: number;
  /** Entries written by an earlier run this one resumed. */
  readonly resumed: number;
  readonly interrupted: boolean;
}

interface ListedEntry extends ImportedEntry {
  readonly id: string;
  readonly hits: number;
}

const PAGE = 200;

/** One exported line: what `POST /v1/cache/import` takes back, plus the id and popularity for people and tools. */
function exportLine(e: ListedEntry): string {
  const { id, namespace, namespaceVersion, model, exactKey, contextHash, query, tags, createdAt, expiresAt, hits } = e;
  const line = { id, namespace, namespaceVersion, model, exactKey, contextHash, query, tags, createdAt, expiresAt };
  return `${JSON.stringify({ ...line, hits, response: e.response })}\n`;
}

/**
 * Streams a tenant's entries into a JSONL file page by page (`GET /v1/cache/entries`, 200 at a time), saving the
 * cursor after each page: an interrupted export resumes at the page it stopped at (a page written twice after a
 * crash just repeats lines; importing them is idempotent). `out` undefined: to `write` (stdout), no resume.
 */
export async function runExport(options: {
  readonly source: ExportSource;
  readonly filter: ExportFilter;
  readonly out: string | undefined;
  readonly write: (text: string) => void;
  readonly state: TransferState<ExportStateFile> | undefined;
  readonly restart: boolean;
  readonly progress: (resumed: number) => TransferProgress;
  readonly interrupted: () => boolean;
}): Promise<ExportSummary> {
  const { source, filter, out, state } = options;
  const previous = out !== undefined && existsSync(out) ? state?.read(options.restart) : undefined;
  const resumed = previous?.written ?? 0;
  let cursor: string | null | undefined = previous === undefined ? undefined : previous.cursor;
  let written = resumed;
  if (out !== undefined && previous === undefined) writeFileSync(out, '');
  const progress = options.progress(resumed);
  while (cursor !== null && !options.interrupted()) {
    const params = new URLSearchParams({ limit: String(PAGE) });
    for (const [name, value] of Object.entries(filter)) if (value !== undefined) params.set(name, String(value));
    if (cursor !== undefined) params.set('cursor', cursor);
    const page = (await source.call('GET', `/v1/cache/entries?${params.toString()}`)) as {
      entries: ListedEntry[];
      nextCursor: string | null;
    };
    const text = page.entries.map(exportLine).join('');
    if (out === undefined) options.write(text);
    else appendFileSync(out, text);
    written += page.entries.length;
    cursor = page.nextCursor;
    state?.save({ cursor, written });
    progress.update(written, `${written} entries`);
  }
  progress.stop(written, `${written} entries`);
  const interrupted = cursor !== null;
  if (!interrupted) state?.remove();
  return { written: written - resumed, resumed, interrupted };
}
