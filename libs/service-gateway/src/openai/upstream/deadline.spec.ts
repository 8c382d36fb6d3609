import { Deadline } from './deadline';

describe(Deadline.name, () => {
  afterEach(() => jest.useRealTimers());

  it('aborts its signal once when its time runs out, with the reason an AbortController gives, and says it timed out', () => {
    jest.useFakeTimers();
    const deadline = new Deadline(undefined, 100);
    let aborts = 0;
    deadline.signal.on('abort', () => aborts++);
    jest.advanceTimersByTime(99);
    expect(deadline.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    deadline.abort();
    const controller = new AbortController();
    controller.abort();
    expect([deadline.signal.aborted, deadline.timedOut, aborts]).toEqual([true, true, 1]);
    expect(deadline.signal.reason).toBeInstanceOf(DOMException);
    expect([(deadline.signal.reason as DOMException).name, (deadline.signal.reason as DOMException).message]).toEqual([
      (controller.signal.reason as DOMException).name,
      (controller.signal.reason as DOMException).message,
    ]);
  });

  it("aborts with its parent's abort, or at once when the parent already has, without timing out", () => {
    const parent = new AbortController();
    const deadline = new Deadline(parent.signal, 60_000);
    parent.abort();
    expect([deadline.signal.aborted, deadline.timedOut]).toEqual([true, false]);
    deadline.clear();
    const late = new Deadline(parent.signal, 60_000);
    expect([late.signal.aborted, late.timedOut]).toEqual([true, false]);
    late.clear();
  });

  it('restarts its time (a stream idle timer), and stops it when cleared', () => {
    jest.useFakeTimers();
    const deadline = new Deadline(undefined, 100);
    jest.advanceTimersByTime(80);
    deadline.restart(100);
    jest.advanceTimersByTime(80);
    expect(deadline.signal.aborted).toBe(false);
    deadline.clear();
    jest.advanceTimersByTime(1_000);
    expect([deadline.signal.aborted, deadline.timedOut]).toEqual([false, false]);
  });
});
