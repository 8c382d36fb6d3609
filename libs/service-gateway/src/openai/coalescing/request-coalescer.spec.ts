import { type FlightControl, RequestCoalescer } from './request-coalescer';

interface Work {
  readonly id: number;
  readonly control: FlightControl;
}

function setup() {
  let joins = 0;
  let started = 0;
  const sut = new RequestCoalescer<Work>(() => joins++);
  const start = (control: FlightControl): Work => ({ id: ++started, control });
  return { sut, start, joins: () => joins, started: () => started };
}

describe(RequestCoalescer.name, () => {
  it('shares one flight among concurrent requests with the same key', () => {
    const { sut, start, joins, started } = setup();
    const a = sut.join('k', start);
    const b = sut.join('k', start);
    const c = sut.join('k', start);
    expect(started()).toBe(1);
    expect([a.leader, b.leader, c.leader]).toEqual([true, false, false]);
    expect(b.flight).toBe(a.flight);
    expect(joins()).toBe(2);
  });

  it('keeps flights of different keys apart', () => {
    const { sut, start } = setup();
    expect(sut.join('a', start).flight).not.toBe(sut.join('b', start).flight);
  });

  it('aborts and forgets the work when every participant leaves before it settles', () => {
    const { sut, start } = setup();
    const a = sut.join('k', start);
    const b = sut.join('k', start);
    a.leave();
    expect(a.flight.control.signal.aborted).toBe(false);
    b.leave();
    expect(a.flight.control.signal.aborted).toBe(true);
    expect(sut.has('k')).toBe(false);
    expect(sut.join('k', start).flight.id).toBe(2);
  });

  it('tells abort listeners once, when every participant has left before the work settled, and at once when added later', () => {
    const { sut, start } = setup();
    const calls: string[] = [];
    const a = sut.join('k', start);
    const b = sut.join('k', start);
    a.flight.control.onAbort(() => calls.push('early'));
    const signal = a.flight.control.signal;
    a.leave();
    expect(calls).toEqual([]);
    b.leave();
    b.leave();
    a.flight.control.onAbort(() => calls.push('late'));
    expect(calls).toEqual(['early', 'late']);
    expect(signal.aborted).toBe(true);
  });

  it('never tells abort listeners of work that settled', () => {
    const { sut, start } = setup();
    const calls: string[] = [];
    const a = sut.join('k', start);
    a.flight.control.onAbort(() => calls.push('aborted'));
    a.flight.control.settle();
    a.leave();
    expect(calls).toEqual([]);
  });

  it('lets settled work finish when everyone leaves, and serves newcomers until it is released', () => {
    const { sut, start } = setup();
    const a = sut.join('k', start);
    a.flight.control.settle();
    a.leave();
    expect(a.flight.control.signal.aborted).toBe(false);
    const late = sut.join('k', start);
    expect(late.flight).toBe(a.flight);
    a.flight.control.release();
    expect(sut.has('k')).toBe(false);
    expect(sut.join('k', start).flight.id).toBe(2);
  });

  it('counts a repeated leave once', () => {
    const { sut, start } = setup();
    const a = sut.join('k', start);
    const b = sut.join('k', start);
    a.leave();
    a.leave();
    expect(b.flight.control.signal.aborted).toBe(false);
  });

  it('does not register a flight released while it was starting', () => {
    const { sut } = setup();
    sut.join('k', (control) => {
      control.release();
      return { id: 1, control };
    });
    expect(sut.has('k')).toBe(false);
  });

  it('runs solo flights outside the map, with the same abort rule', () => {
    const { sut, start } = setup();
    const solo = sut.solo(start);
    expect(sut.size).toBe(0);
    solo.leave();
    expect(solo.flight.control.signal.aborted).toBe(true);
  });

  it('does not let an old flight released late remove its successor', () => {
    const { sut, start } = setup();
    const first = sut.join('k', start);
    first.leave(); // aborted and released
    const second = sut.join('k', start);
    first.flight.control.release();
    expect(sut.join('k', start).flight).toBe(second.flight);
  });
});
