import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExportStateFile, runExport } from './export-runner';
import { type ImportStateFile, runImport } from './import-runner';
import { type TransferProgress } from './transfer-progress';
import { TransferState } from './transfer-state';

const QUIET: TransferProgress = { update: () => undefined, stop: () => undefined };

function entry(n: number) {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    namespace: 'support',
    namespaceVersion: 1,
    model: 'gpt-4o-mini',
    exactKey: 'a'.repeat(63) + String(n % 10),
    contextHash: 'b'.repeat(64),
    query: `question ${n}`,
    tags: ['doc:faq'],
    createdAt: '2030-01-01T00:00:00.000Z',
    expiresAt: '2030-01-02T00:00:00.000Z',
    hits: n,
    lastHitAt: null,
    response: { answer: n },
  };
}

/** A gateway listing `total` entries 200 a page; `failAfter` pages it answers, then it is unreachable. */
function fakeGateway(total: number, failAfter = Infinity) {
  const calls: string[] = [];
  return {
    calls,
    call(method: string, path: string): Promise<unknown> {
      calls.push(`${method} ${path}`);
      if (calls.length > failAfter) return Promise.reject(new Error('unreachable'));
      const cursor = Number(new URL(path, 'http://x').searchParams.get('cursor') ?? 0);
      const entries = Array.from({ length: Math.min(200, total - cursor) }, (_, i) => entry(cursor + i));
      const next = cursor + entries.length;
      return Promise.resolve({ entries, nextCursor: next < total ? String(next) : null });
    },
  };
}

describe('strata export / import', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-transfer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const exportTo = (out: string, source: ReturnType<typeof fakeGateway>, interrupted = () => false) =>
    runExport({
      source,
      filter: { namespace: 'support', tag: undefined, q: undefined, tenant: undefined },
      out,
      write: () => undefined,
      state: new TransferState<ExportStateFile>(`${out}.export-state`),
      restart: false,
      progress: () => QUIET,
      interrupted,
    });

  it('exports every entry page by page as JSON Lines, with the filter, and leaves no state behind', async () => {
    const out = join(dir, 'entries.jsonl');
    const gateway = fakeGateway(450);

    const summary = await exportTo(out, gateway);

    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(450);
    expect(JSON.parse(lines[449] ?? '')).toMatchObject({ id: entry(449).id, query: 'question 449', hits: 449 });
    expect(gateway.calls[0]).toBe('GET /v1/cache/entries?limit=200&namespace=support');
    expect(summary).toEqual({ written: 450, resumed: 0, interrupted: false });
    expect(existsSync(`${out}.export-state`)).toBe(false);
  });

  it('resumes an export that failed half way at the page it stopped at', async () => {
    const out = join(dir, 'entries.jsonl');
    await expect(exportTo(out, fakeGateway(450, 1))).rejects.toThrow('unreachable');
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(200);

    const gateway = fakeGateway(450);
    const summary = await exportTo(out, gateway);

    expect(gateway.calls[0]).toContain('cursor=200');
    expect(summary).toEqual({ written: 250, resumed: 200, interrupted: false });
    const ids = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(ids).size).toBe(450);
  });

  const importFrom = (from: string, target: { call: (m: string, p: string, b: unknown) => Promise<unknown> }) =>
    runImport({
      target,
      from,
      batch: 100,
      state: new TransferState<ImportStateFile>(`${from}.import-state`),
      restart: false,
      progress: () => QUIET,
      interrupted: () => false,
    });

  it('imports in batches, counts invalid lines without sending them, and resumes after the last batch answered', async () => {
    const from = join(dir, 'entries.jsonl');
    const lines = Array.from({ length: 250 }, (_, i) => JSON.stringify(entry(i)));
    lines[10] = '{"not": "an entry"}';
    lines[20] = 'not json';
    writeFileSync(from, `${lines.join('\n')}\n`);
    const batches: number[] = [];
    let answers = 1;
    const target = {
      call: (_m: string, _p: string, body: unknown) => {
        if (answers-- <= 0) return Promise.reject(new Error('unreachable'));
        const n = (body as { entries: unknown[] }).entries.length;
        batches.push(n);
        return Promise.resolve({ stored: n, skipped: 0 });
      },
    };

    await expect(importFrom(from, target)).rejects.toThrow('unreachable');
    answers = Infinity;
    const summary = await importFrom(from, target);

    expect(batches).toEqual([98, 100, 50]);
    expect(summary).toMatchObject({ lines: 250, stored: 248, invalid: 2, resumed: 100, interrupted: false });
    expect(existsSync(`${from}.import-state`)).toBe(false);
  });
});
