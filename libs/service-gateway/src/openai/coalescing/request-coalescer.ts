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

interface Entry<T> {
  flight: T | undefined;
  participants: number;
  settled: boolean;
  released: boolean;
  aborted: boolean;
  /** Made when `signal` is first read (most flights never are). */
  controller: AbortController | undefined;
  readonly onAbort: (() => void)[];
  readonly release: () => void;
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
    const entry: Entry<T> = {
      flight: undefined,
      participants: 1,
      settled: false,
      released: false,
      aborted: false,
      controller: undefined,
      onAbort: [],
      release: () => {
        if (entry.released) return;
        entry.released = true;
        if (key !== undefined && this.flights.get(key) === entry) this.flights.delete(key);
      },
    };
    const flight = start({
      get signal() {
        if (entry.controller === undefined) {
          entry.controller = new AbortController();
          if (entry.aborted) entry.controller.abort();
        }
        return entry.controller.signal;
      },
      onAbort: (listener) => {
        if (entry.aborted) listener();
        else entry.onAbort.push(listener);
      },
      settle: () => {
        entry.settled = true;
      },
      release: entry.release,
    });
    entry.flight = flight;
    if (key !== undefined && !entry.released) this.flights.set(key, entry);
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
        if (entry.participants === 0 && !entry.settled) {
          entry.aborted = true;
          entry.controller?.abort();
          for (const listener of entry.onAbort.splice(0)) listener();
          entry.release();
        }
      },
    };
  }
}
