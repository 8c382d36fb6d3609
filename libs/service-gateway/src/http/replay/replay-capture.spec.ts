import { type CacheEntry } from '@strata/cache-core';
import { ReplayCapture } from './replay-capture';

describe(ReplayCapture.name, () => {
  const entry = { id: 'e-1', tenant: 'acme', exactKey: 'k-1' } as unknown as CacheEntry;
  const answered = (capture: ReplayCapture) => {
    capture.answeredFromL1('acme', 'k-1', entry);
    capture.renderedWhile(() => true);
    return capture;
  };

  it('is attached to the raw request it was made for, and to no other', () => {
    const raw = {};
    const capture = ReplayCapture.attach(raw);
    expect(ReplayCapture.of(raw)).toBe(capture);
    expect(ReplayCapture.of({})).toBeUndefined();
  });

  it('tells the front door when L1 first answers, and only then', () => {
    let told = 0;
    const capture = ReplayCapture.attach({}, () => told++);
    capture.effect(() => undefined);
    capture.renderedWhile(() => true);
    expect(told).toBe(0);
    capture.answeredFromL1('acme', 'k-1', entry);
    capture.answeredFromL1('acme', 'k-2', entry);
    expect(told).toBe(1);
  });

  it('gives a recipe once an L1 entry answered and the reply says how long it stays the same', () => {
    const capture = new ReplayCapture();
    expect(capture.recipe()).toBeUndefined();
    capture.answeredFromL1('acme', 'k-1', entry);
    expect(capture.recipe()).toBeUndefined();
    capture.renderedWhile((now) => now < 1_000);
    const recipe = capture.recipe();
    expect(recipe).toMatchObject({ tenant: 'acme', exactKey: 'k-1', entry });
    expect([recipe?.stillRendered(999), recipe?.stillRendered(1_000)]).toEqual([true, false]);
  });

  it('keeps the effects in the order the route had them', () => {
    const calls: string[] = [];
    const capture = answered(new ReplayCapture());
    capture.effect((now, requestId) => calls.push(`prefix ${now} ${requestId}`));
    capture.effect((now, requestId, seconds) => calls.push(`hit ${now} ${requestId} ${seconds}`));
    for (const effect of capture.recipe()?.effects ?? []) effect(7, 'r-1', 0.5);
    expect(calls).toEqual(['prefix 7 r-1', 'hit 7 r-1 0.5']);
  });

  it('gives none once vetoed, or when two entries answered one request', () => {
    const vetoed = answered(new ReplayCapture());
    vetoed.veto();
    expect(vetoed.recipe()).toBeUndefined();
    const twice = answered(new ReplayCapture());
    twice.answeredFromL1('acme', 'k-2', entry);
    expect(twice.recipe()).toBeUndefined();
  });
});
