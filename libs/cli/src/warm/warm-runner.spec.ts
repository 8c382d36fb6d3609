import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnreachableError } from '../errors';
import { parseWarmFile } from './warm-queries';
import { runWarm } from './warm-runner';
import { type WarmOutcome } from './warm-sender';
import { WarmState } from './warm-state';

describe(runWarm.name, () => {
  let dir: string;
  const queries = (n: number) =>
    parseWarmFile(
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `q${i}` }] }),
      ).join('\n'),
      'q.jsonl',
    );
  const question = (q: { body: Readonly<Record<string, unknown>> }) =>
    (q.body['messages'] as { content: string }[])[0].content;

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'strata-warm-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('sends each query once with at most `concurrency` in flight, and sums up the outcomes', async () => {
    let inFlight = 0;
    let most = 0;
    const outcomes: Record<string, WarmOutcome> = {
      q0: { kind: 'hit', tier: 'l2', tokens: 10 },
      q1: { kind: 'miss', tokens: 7 },
      q2: { kind: 'bypass' },
      q3: { kind: 'error', message: '502 upstream_error: boom' },
      q4: { kind: 'miss', tokens: 3 },
    };
    const summary = await runWarm({
      queries: queries(5),
      send: async (q) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return outcomes[question(q)];
      },
      concurrency: 2,
      limiter: undefined,
      state: WarmState.open(join(dir, 'state'), false),
      stop: new AbortController().signal,
    });
    expect(most).toBe(2);
    expect(summary).toMatchObject({
      total: 5,
      skipped: 0,
      done: 4,
      hits: 1,
      hitsByTier: { l2: 1 },
      misses: 2,
      bypassed: 1,
      errors: 1,
      tokens: { spent: 10, cached: 10 },
    });
    expect(summary.errorSamples).toEqual([{ id: expect.any(String), line: 4, message: '502 upstream_error: boom' }]);
  });

  it('records answered queries (not failed ones) in the state, and a rerun skips them', async () => {
    const path = join(dir, 'state');
    const all = queries(4);
    const state = WarmState.open(path, false);
    await runWarm({
      queries: all,
      send: (q) =>
        Promise.resolve(question(q) === 'q1' ? { kind: 'error', message: 'no' } : { kind: 'miss', tokens: 1 }),
      concurrency: 1,
      limiter: undefined,
      state,
      stop: new AbortController().signal,
    });
    state.close();
    expect(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('#')),
    ).toEqual([all[0].id, all[2].id, all[3].id]);

    const sent: string[] = [];
    const rerun = await runWarm({
      queries: all,
      send: (q) => {
        sent.push(question(q));
        return Promise.resolve({ kind: 'miss', tokens: 1 });
      },
      concurrency: 2,
      limiter: undefined,
      state: WarmState.open(path, false),
      stop: new AbortController().signal,
    });
    expect(sent).toEqual(['q1']);
    expect(rerun).toMatchObject({ skipped: 3, done: 1, errors: 0 });
    expect(WarmState.open(path, true).size).toBe(0);
  });

  it('ignores a line cut short by a crash when it resumes', () => {
    const path = join(dir, 'state');
    const state = WarmState.open(path, false);
    state.markDone('abc');
    state.close();
    appendFileSync(path, 'de');
    const reopened = WarmState.open(path, false);
    expect([reopened.has('abc'), reopened.has('de'), reopened.size]).toEqual([true, false, 1]);
  });

  it('stops starting queries once stopped, and says it was interrupted', async () => {
    const stop = new AbortController();
    const summary = await runWarm({
      queries: queries(10),
      send: (q) => {
        if (question(q) === 'q2') stop.abort();
        return Promise.resolve({ kind: 'miss', tokens: 1 });
      },
      concurrency: 1,
      limiter: undefined,
      state: WarmState.open(join(dir, 'state'), false),
      stop: stop.signal,
    });
    expect(summary).toMatchObject({ done: 3, interrupted: true });
  });

  it('ends early when the server is unreachable, and says why', async () => {
    const summary = await runWarm({
      queries: queries(10),
      send: (q) =>
        question(q) === 'q3'
          ? Promise.reject(new UnreachableError('http://127.0.0.1:1', 'connect ECONNREFUSED'))
          : Promise.resolve({ kind: 'miss', tokens: 1 }),
      concurrency: 1,
      limiter: undefined,
      state: WarmState.open(join(dir, 'state'), false),
      stop: new AbortController().signal,
    });
    expect(summary).toMatchObject({
      done: 3,
      unreachable: 'cannot reach Strata at http://127.0.0.1:1: connect ECONNREFUSED',
    });
  });
});
