import { MessageTransit, TRANSIT_FLOOR_HALF_MS } from './message-transit';

/** A transit measured by a clock set by the test; senders' clocks are this one plus their skew. */
function setup() {
  const clock = { now: 1_000_000 };
  const transit = new MessageTransit(() => clock.now);
  /** Sends from `sender` whose clock is `skewMs` ahead of ours and arrives `delayMs` later: its measured transit. */
  const arrive = (sender: string, skewMs: number, delayMs: number): number => {
    const sentAt = clock.now + skewMs;
    clock.now += delayMs;
    return transit.elapsedMs({ sender, at: sentAt });
  };
  return { clock, transit, arrive };
}

describe(MessageTransit.name, () => {
  it.each([
    ['in step with ours', 0],
    ['2 s ahead of ours', 2_000],
    ['2 s behind ours', -2_000],
  ])(
    'measures how much longer than its quickest recent request a request took, with the sender’s clock %s',
    (_, skew) => {
      const { clock, arrive } = setup();
      expect(arrive('gw-a', skew, 2)).toBe(0);
      clock.now += 100;
      expect(arrive('gw-a', skew, 3)).toBe(1);
      clock.now += 100;
      expect(arrive('gw-a', skew, 1_202)).toBe(1_200);
      clock.now += 100;
      expect(arrive('gw-a', skew, 2)).toBe(0);
    },
  );

  it("keeps each sender's skew apart: one 2 s behind does not make another's requests look late, nor its own", () => {
    const { arrive } = setup();
    arrive('gw-a', 0, 1);
    arrive('gw-b', -2_000, 1);
    expect(arrive('gw-a', 0, 1)).toBe(0);
    expect(arrive('gw-b', -2_000, 1)).toBe(0);
    expect(arrive('gw-a', 0, 801)).toBe(800);
    expect(arrive('gw-b', -2_000, 801)).toBe(800);
  });

  it('takes a request from a new sender, or one without a send time, as arrived at once', () => {
    const { arrive, transit } = setup();
    expect(arrive('gw-a', -5_000, 3_000)).toBe(0);
    expect(transit.elapsedMs({ sender: 'gw-a', at: NaN })).toBe(0);
  });

  it("forgets a sender's floor after a half-window without requests, and its older half after two", () => {
    const { clock, arrive } = setup();
    arrive('gw-a', 0, 1);
    clock.now += TRANSIT_FLOOR_HALF_MS - 10;
    // Still within the half: measured against the first request.
    expect(arrive('gw-a', 0, 501)).toBe(500);
    // A new half, the one before remembered.
    clock.now += 20;
    expect(arrive('gw-a', 0, 301)).toBe(300);
    // Two halves later, the first request is forgotten: this sender's clock may have stepped back 300 ms.
    clock.now += TRANSIT_FLOOR_HALF_MS;
    expect(arrive('gw-a', 0, 301)).toBe(0);
    // A whole half-window of silence forgets the older half at once.
    clock.now += 2 * TRANSIT_FLOOR_HALF_MS;
    expect(arrive('gw-a', 0, 900)).toBe(0);
  });

  it('follows a sender whose clock steps forward at once, and one that steps back within two half-windows', () => {
    const { clock, arrive } = setup();
    arrive('gw-a', 0, 1);
    // Forward 2 s: its requests seem to take -2 s, the new floor.
    expect(arrive('gw-a', 2_000, 1)).toBe(0);
    expect(arrive('gw-a', 2_000, 11)).toBe(10);
    // Back 2 s (to where it was): late by the step, until its lower samples leave the window.
    expect(arrive('gw-a', 0, 1)).toBe(2_000);
    clock.now += TRANSIT_FLOOR_HALF_MS;
    arrive('gw-a', 0, 1);
    clock.now += TRANSIT_FLOOR_HALF_MS;
    expect(arrive('gw-a', 0, 1)).toBe(0);
  });
});
