/** Where and when a request was sent: its sender (one replica's reply address) and its send time by that sender's clock. */
export interface SentMessage {
  /** Names the replica that sent it (requests of one sender share its clock's skew). */
  readonly sender: string;
  /** Epoch ms by the sender's clock (a Kafka message's CreateTime); NaN when the message carries none. */
  readonly at: number;
}

/**
 * A sender's floor is the least of its delays in the current half-window and the one before: the last 30–60 s of its
 * requests (up to 90 s when they are sparse; a half with no request for a whole half-window is forgotten).
 */
export const TRANSIT_FLOOR_HALF_MS = 30_000;
/** Senders remembered at most (the oldest is forgotten first). */
const MAX_SENDERS = 1_024;

interface SenderFloor {
  /** When the current half of the window began (this clock). */
  start: number;
  /** The least `now - sentAt` seen in the current half and in the one before (Infinity: none). */
  current: number;
  previous: number;
}

/**
 * How long a request spent on its way to this process (queued in Kafka, or in the request-reply server), from the
 * send time its sender stamped on it: safe against the sender's clock being ahead or behind this one.
 *
 * `now - sentAt` is the transit plus the skew between the two clocks. Per sender, the least of these over the last
 * 30–60 s (its floor: the skew plus the quickest transit seen) is taken off, as LEDBAT (RFC 6817) takes its base
 * delay off a one-way delay: what remains is how much longer than the quickest recent request this one took. A clock
 * 2 s ahead or behind shifts every sample and the floor alike, so it changes nothing; it can err only one way — low,
 * never high — by the quickest transit seen, or by a delay every request of a sender has had for the whole window
 * (a sustained backlog then counts as if it were skew: lookups are searched as they were before, none is refused
 * for it). A sender whose clock steps back (an NTP step) looks late by the step until its lower samples leave the
 * window (30–90 s); one whose clock steps forward is taken at once. A request from a sender not heard from
 * within the window, or without a send time, has taken 0.
 */
export class MessageTransit {
  private readonly floors = new Map<string, SenderFloor>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The transit of a request sent as `sent` says, received now (ms, at least 0); 0 without a send time. */
  elapsedMs(sent: SentMessage): number {
    if (!Number.isFinite(sent.at)) return 0;
    const now = this.now();
    const delay = now - sent.at;
    const half = TRANSIT_FLOOR_HALF_MS;
    let floor = this.floors.get(sent.sender);
    if (floor === undefined) {
      if (this.floors.size >= MAX_SENDERS) this.floors.delete(this.floors.keys().next().value as string);
      floor = { start: now, current: delay, previous: Infinity };
      this.floors.set(sent.sender, floor);
    } else if (now - floor.start >= half) {
      // A new half: the one that ended is remembered only if it ended just now (no gap of a whole half since).
      floor.previous = now - floor.start < 2 * half ? floor.current : Infinity;
      floor.current = delay;
      floor.start = now;
    } else floor.current = Math.min(floor.current, delay);
    return Math.max(0, delay - Math.min(floor.current, floor.previous));
  }
}
