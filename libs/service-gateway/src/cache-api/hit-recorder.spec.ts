import { type CacheService, type HitCount } from '@strata/contracts';
import { HitRecorder } from './hit-recorder';

function setup(fail = false) {
  const flushed: HitCount[][] = [];
  const cache = {
    recordHits: ({ hits }: { hits: HitCount[] }) => {
      if (fail) return Promise.reject(new Error('cache service away'));
      flushed.push(hits);
      return Promise.resolve({ recorded: hits.length });
    },
  } as unknown as CacheService;
  return { sut: new HitRecorder(cache, { cache: { popularityFlushMs: 1_000 } } as never), flushed };
}

describe(HitRecorder.name, () => {
  it('sends each entry once per flush with its hit count and last hit, and nothing when there were no hits', async () => {
    const { sut, flushed } = setup();
    sut.record('acme', 'e1', 100);
    sut.record('acme', 'e1', 300);
    sut.record('acme', 'e2', 200);

    await sut.flush();
    await sut.flush();

    expect(flushed).toEqual([
      [
        { tenant: 'acme', id: 'e1', count: 2, lastHitAt: 300 },
        { tenant: 'acme', id: 'e2', count: 1, lastHitAt: 200 },
      ],
    ]);
  });

  it('never adds one tenant’s hits to another’s, even under the same id', async () => {
    const { sut, flushed } = setup();
    sut.record('acme', 'same', 1);
    sut.record('globex', 'same', 2);
    sut.record('globex', 'same', 3);

    await sut.flush();

    expect(flushed[0]).toEqual([
      { tenant: 'acme', id: 'same', count: 1, lastHitAt: 1 },
      { tenant: 'globex', id: 'same', count: 2, lastHitAt: 3 },
    ]);
  });

  it('drops a flush the cache service refuses without failing the gateway', async () => {
    const failing = setup(true);
    failing.sut.record('acme', 'e1', 1);
    await expect(failing.sut.flush()).resolves.toBeUndefined();
    expect(failing.flushed).toEqual([]);
  });
});
