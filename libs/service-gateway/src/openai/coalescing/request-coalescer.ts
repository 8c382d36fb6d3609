/** What the function starting a flight gets: when to give up, and how to end the flight's life cycle. */
export interface FlightControl {
  /** Aborted when every participant left before the flight settled: nobody wants the answer any more. */
  readonly signal: AbortSignal;
  /**
   * `listener` runs once when the flight is aborted (at once when it already is): the same moment as `signal`'s
   * abort event, without an AbortController and its event listeners for every flight that is never aborted.
   */
  onAbort(listener: () => void): void;
  /** The work is done (the upstream answered in full, or failed): leaving no longer aborts it. */
  settle(): void;
  /** Later requests with this key start a new flight (call once the answer is stored, or will not be). */
  release(): void;
}

/** A request's place in a flight. */
interface Participation<T> {
  readonly flight: T;
  /** True for the request that started the flight. */
  readonly leader: boolean;
  /** Call once, when the request is done with the flight (answered, or its client went away). */
  leave(): void;
}

/** One flight's state, and its control (what the function starting it gets). */
class Entry<T> implements FlightControl {
  flight: T | undefined = undefined;
  participants = 1;
  settled = false;
  private released = false;
  private aborted = false;
  /** Made when `signal` is first read (most flights never are). */
  private controller: AbortController | undefined = undefined;
  private listeners: (() => void)[] | undefined = undefined;

  constructor(
    private readonly key: string | undefined,
    private readonly flights: Map<string, Entry<T>>,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  get isReleased(): boolean {
    return this.released;
  }

  onAbort(listener: () => void): void {
    if (this.aborted) listener();
    else (this.listeners ??= []).push(listener);
  }

  settle(): void {
    this.settled = true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.key !== undefined && this.flights.get(this.key) === this) this.flights.delete(this.key);
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
    this.release();
  }
}

/**
 * Request coalescing ("single flight"): concurrent requests with the same key share one piece of work.
 * The first starts it; the others join it while it runs, and until it is released (the proxy releases
 * a flight once its answer is stored, so a request arriving between the answer and the store is served
 * from the flight rather than calling the upstream again). When every participant leaves before the
 * work settles, the work is aborted and forgotten.
 */
export class RequestCoalescer<T> {
  private readonly flights = new Map<string, Entry<T>>();

  constructor(private readonly onJoin: () => void = () => undefined) {}

  get size(): number {
    return this.flights.size;
  }

  has(key: string): boolean {
    return this.flights.has(key);
  }

  /** Joins the flight for `key`, or starts one with `start` (called synchronously). */
  join(key: string, start: (control: FlightControl) => T): Participation<T> {
    const existing = this.flights.get(key);
    if (existing?.flight !== undefined) {
      existing.participants++;
      this.onJoin();
      return this.participation(existing, existing.flight, false);
    }
    return this.begin(key, start);
  }

  /** Starts a flight nobody can join (a request that must not share its answer), with the same abort rules. */
  solo(start: (control: FlightControl) => T): Participation<T> {
    return this.begin(undefined, start);
  }

  private begin(key: string | undefined, start: (control: FlightControl) => T): Participation<T> {
    const entry = new Entry<T>(key, this.flights);
    const flight = start(entry);
    entry.flight = flight;
    if (key !== undefined && !entry.isReleased) this.flights.set(key, entry);
    return this.participation(entry, flight, true);
  }

  private participation(entry: Entry<T>, flight: T, leader: boolean): Participation<T> {
    let left = false;
    return {
      flight,
      leader,
      leave: () => {
        if (left) return;
        left = true;
        entry.participants--;
        if (entry.participants === 0 && !entry.settled) entry.abort();
      },
    };
  }
}
