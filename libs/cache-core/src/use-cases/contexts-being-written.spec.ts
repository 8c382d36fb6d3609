import { ContextsBeingWritten } from './contexts-being-written';

describe(ContextsBeingWritten.name, () => {
  it("tells a context's writes in flight, and settles with those in flight when asked (not later ones)", async () => {
    const writing = new ContextsBeingWritten();
    let finishFirst: (() => void) | undefined;
    let failSecond: ((error: Error) => void) | undefined;
    const first = writing.track('acme', 'ctx', new Promise<void>((resolve) => (finishFirst = resolve)));
    expect(writing.has('acme', 'ctx')).toBe(true);
    expect(writing.has('globex', 'ctx')).toBe(false);
    expect(writing.inFlight('acme', 'other')).toBeUndefined();

    const settled = writing.inFlight('acme', 'ctx');
    let done = false;
    void settled?.then(() => (done = true));
    // A write that begins after the question is not waited for, and one that fails settles all the same.
    const second = writing.track('acme', 'ctx', new Promise<void>((_, reject) => (failSecond = reject)));
    second.catch(() => undefined);
    finishFirst?.();
    await first;
    await settled;
    expect(done).toBe(true);
    expect(writing.has('acme', 'ctx')).toBe(true); // the second is still running

    failSecond?.(new Error('L3 unreachable'));
    await expect(second).rejects.toThrow('L3 unreachable');
    expect(writing.has('acme', 'ctx')).toBe(false);
  });
});
