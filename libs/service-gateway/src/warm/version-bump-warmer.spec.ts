import { type SeenVersion, type WarmRecording, type WarmRecordings } from '@strata/cache-core';
import { type ReplayOutcome, VersionBumpWarmer, type VersionBumpWarmerDeps } from './version-bump-warmer';

/** The store shared by every gateway replica (the adapters pass the same contract suite). */
class FakeRecordings implements WarmRecordings {
  readonly kept = new Map<string, WarmRecording>();
  readonly versions = new Map<string, SeenVersion>();
  private readonly claims = new Set<string>();

  record(tenant: string, recording: WarmRecording): Promise<void> {
    this.kept.set(`${tenant}/${recording.entryId}`, recording);
    return this.markSeen(tenant, recording.namespace, recording.version, true);
  }
  get(tenant: string, ids: readonly string[]): Promise<Map<string, WarmRecording>> {
    const found = new Map<string, WarmRecording>();
    for (const id of ids) {
      const recording = this.kept.get(`${tenant}/${id}`);
      if (recording) found.set(id, recording);
    }
    return Promise.resolve(found);
  }
  seenVersions(): Promise<SeenVersion[]> {
    return Promise.resolve([...this.versions.values()]);
  }
  markSeen(tenant: string, namespace: string, version: number, onlyIfAbsent: boolean): Promise<void> {
    const key = `${tenant}/${namespace}`;
    if (!onlyIfAbsent || !this.versions.has(key)) this.versions.set(key, { tenant, namespace, version });
    return Promise.resolve();
  }
  claim(tenant: string, namespace: string, version: number): Promise<boolean> {
    const key = `${tenant}/${namespace}/${version}`;
    if (this.claims.has(key)) return Promise.resolve(false);
    this.claims.add(key);
    return Promise.resolve(true);
  }
}

function recording(id: string, version: number, namespace = 'docs'): WarmRecording {
  return { entryId: id, namespace, version, api: 'openai', body: `{"q":"${id}"}`, tags: [] };
}

interface Setup {
  readonly recordings?: FakeRecordings;
  /** Entries of the namespace, most hit first, with the version each was stored under. */
  readonly ranked?: { id: string; version: number }[];
  readonly version?: number;
  readonly top?: number;
  readonly replay?: (tenant: string, recording: WarmRecording) => Promise<ReplayOutcome>;
  readonly stopped?: () => boolean;
}

function setup(options: Setup = {}) {
  const recordings = options.recordings ?? new FakeRecordings();
  const replayed: string[] = [];
  const slept: number[] = [];
  const outcomes: ReplayOutcome[] = [];
  const logs: { msg: string; fields: Record<string, unknown> }[] = [];
  const ranked = options.ranked ?? [];
  const deps: VersionBumpWarmerDeps = {
    recordings,
    namespaces: new Map([['docs', { version: options.version ?? 2, top: options.top ?? 500, ratePerSecond: 4 }]]),
    // Pages of two, to walk the cursor.
    mostHit: (_tenant, _namespace, cursor) => {
      const from = cursor === undefined ? 0 : Number(cursor);
      const entries = ranked.slice(from, from + 2);
      return Promise.resolve({ entries, nextCursor: from + 2 < ranked.length ? String(from + 2) : null });
    },
    replay: async (tenant, r) => {
      replayed.push(`${tenant}:${r.entryId}`);
      return options.replay ? options.replay(tenant, r) : 'warmed';
    },
    log: (msg, fields) => logs.push({ msg, fields }),
    onOutcome: (outcome) => outcomes.push(outcome),
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    ...(options.stopped === undefined ? {} : { stopped: options.stopped }),
  };
  return { sut: new VersionBumpWarmer(deps), recordings, replayed, slept, outcomes, logs };
}

describe(VersionBumpWarmer.name, () => {
  it("re-asks the previous version's most hit recorded questions, most hit first, up to top, at the namespace's rate", async () => {
    const recordings = new FakeRecordings();
    for (const id of ['a', 'b', 'c', 'd']) await recordings.record('acme', recording(id, 1));
    const { sut, replayed, slept, outcomes } = setup({
      recordings,
      top: 3,
      ranked: ['c', 'a', 'd', 'b'].map((id) => ({ id, version: 1 })),
    });
    await sut.run();
    expect(replayed).toEqual(['acme:c', 'acme:a', 'acme:d']);
    expect(slept).toEqual([250, 250]);
    expect(outcomes).toEqual(['warmed', 'warmed', 'warmed']);
    expect(sut.status()).toEqual([
      expect.objectContaining({ fromVersion: 1, toVersion: 2, total: 3, warmed: 3, failed: 0, skipped: 0, done: true }),
    ]);
    expect(await recordings.seenVersions()).toEqual([{ tenant: 'acme', namespace: 'docs', version: 2 }]);
  });

  it('leaves out entries of other versions and entries without a recording', async () => {
    const recordings = new FakeRecordings();
    await recordings.record('acme', recording('a', 1));
    await recordings.record('acme', recording('new', 2));
    const { sut, replayed } = setup({
      recordings,
      ranked: [
        { id: 'new', version: 2 },
        { id: 'unrecorded', version: 1 },
        { id: 'a', version: 1 },
      ],
    });
    await sut.run();
    expect(replayed).toEqual(['acme:a']);
  });

  it('does nothing when the configured version is not newer than the one last seen, or the namespace does not warm', async () => {
    const recordings = new FakeRecordings();
    await recordings.record('acme', recording('a', 2));
    await recordings.record('acme', recording('b', 1, 'other'));
    const { sut, replayed } = setup({ recordings, version: 2, ranked: [{ id: 'a', version: 2 }] });
    await sut.run();
    expect(replayed).toEqual([]);
    expect(sut.status()).toEqual([]);
  });

  it('warms each tenant of the namespace with its own recordings', async () => {
    const recordings = new FakeRecordings();
    await recordings.record('acme', recording('a', 1));
    await recordings.record('globex', recording('a', 1));
    const { sut, replayed } = setup({ recordings, ranked: [{ id: 'a', version: 1 }] });
    await sut.run();
    expect(replayed.sort()).toEqual(['acme:a', 'globex:a']);
  });

  it('warms a bump once across replicas sharing the store', async () => {
    const recordings = new FakeRecordings();
    await recordings.record('acme', recording('a', 1));
    const ranked = [{ id: 'a', version: 1 }];
    const first = setup({ recordings, ranked });
    const second = setup({ recordings, ranked });
    await Promise.all([first.sut.run(), second.sut.run()]);
    expect([...first.replayed, ...second.replayed]).toEqual(['acme:a']);
  });

  it('counts a question whose replay throws as failed and goes on with the next', async () => {
    const recordings = new FakeRecordings();
    await recordings.record('acme', recording('a', 1));
    await recordings.record('acme', recording('b', 1));
    const { sut, outcomes, replayed } = setup({
      recordings,
      ranked: [
        { id: 'a', version: 1 },
        { id: 'b', version: 1 },
      ],
      replay: (_tenant, r) =>
        r.entryId === 'a' ? Promise.reject(new Error('upstream down')) : Promise.resolve('skipped'),
    });
    await sut.run();
    expect(replayed).toEqual(['acme:a', 'acme:b']);
    expect(outcomes).toEqual(['failed', 'skipped']);
    expect(sut.status()[0]).toEqual(expect.objectContaining({ failed: 1, skipped: 1, warmed: 0, done: true }));
  });

  it('stops between two questions once the gateway shuts down, and says so', async () => {
    const recordings = new FakeRecordings();
    for (const id of ['a', 'b', 'c']) await recordings.record('acme', recording(id, 1));
    let stopping = false;
    const { sut, replayed, logs } = setup({
      recordings,
      ranked: ['a', 'b', 'c'].map((id) => ({ id, version: 1 })),
      replay: () => {
        stopping = true;
        return Promise.resolve('warmed');
      },
      stopped: () => stopping,
    });
    await sut.run();
    expect(replayed).toEqual(['acme:a']);
    expect(sut.status()[0]?.done).toBe(false);
    expect(logs.at(-1)?.msg).toBe('warming stopped by shutdown');
  });
});
