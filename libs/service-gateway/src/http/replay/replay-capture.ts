import { type CacheEntry } from '@strata/cache-core';

/**
 * Re-applies what serving one hit records (metrics, stats, popularity, the answer for feedback) for a replayed
 * request: its time, its id, and how long the replay took to find its answer (for the lookup-duration metrics).
 */
export type HitEffect = (now: number, requestId: string, seconds: number) => void;

/** Whether the reply rendered for a hit would be the same bytes at `now` (its age, TTL and staleness unchanged). */
export type StillRendered = (now: number) => boolean;

/** A hit the front door may replay: what must still hold, and what to record again. */
export interface ReplayRecipe {
  readonly tenant: string;
  readonly exactKey: string;
  /** The L1 entry that answered: a replay needs L1 to hand out this very object (not purged, replaced or expired). */
  readonly entry: CacheEntry;
  readonly stillRendered: StillRendered;
  readonly effects: readonly HitEffect[];
}

const CAPTURE = Symbol('strata.replayCapture');

/**
 * What a hot route tells the gateway's front door (`HitReplays`) about a request it answered from L1, so that the
 * same request (same route, headers and body) can be answered again without parsing, validating and keying it:
 * the entry, the condition under which the rendered reply stays byte-identical, and the effects the answer had
 * (recorded by the same code that ran them). Anything the route did that a replay could not repeat vetoes it.
 * Attached to the raw request by the front door; absent when the front door did not ask.
 */
export class ReplayCapture {
  private hit: { readonly tenant: string; readonly exactKey: string; readonly entry: CacheEntry } | undefined;
  private rendered: StillRendered | undefined;
  private readonly effects: HitEffect[] = [];
  private vetoed = false;

  /** `onHit`: runs when the route first says L1 answered, before it writes the reply (most requests never do). */
  constructor(private readonly onHit?: () => void) {}

  static attach(raw: object, onHit?: () => void): ReplayCapture {
    const capture = new ReplayCapture(onHit);
    (raw as { [CAPTURE]?: ReplayCapture })[CAPTURE] = capture;
    return capture;
  }

  /** The capture the front door attached to this raw request, if it did. */
  static of(raw: object): ReplayCapture | undefined {
    return (raw as { [CAPTURE]?: ReplayCapture })[CAPTURE];
  }

  /** The request was answered by this L1 entry of the tenant's (said before the reply is written). */
  answeredFromL1(tenant: string, exactKey: string, entry: CacheEntry): void {
    if (this.hit !== undefined) this.vetoed = true;
    else this.onHit?.();
    this.hit = { tenant, exactKey, entry };
  }

  /** An effect the answer had, to run again for each replay (in the order they were recorded). */
  effect(effect: HitEffect): void {
    this.effects.push(effect);
  }

  /** The reply's time-dependent parts: a replay is served only while this says they are unchanged. */
  renderedWhile(stillRendered: StillRendered): void {
    this.rendered = stillRendered;
  }

  /** The route did something a replay would not repeat: this request is not replayed. */
  veto(): void {
    this.vetoed = true;
  }

  /** What a replay needs, once the route is done; undefined when this request may not be replayed. */
  recipe(): ReplayRecipe | undefined {
    if (this.vetoed || this.hit === undefined || this.rendered === undefined) return undefined;
    return { ...this.hit, stillRendered: this.rendered, effects: this.effects };
  }
}
