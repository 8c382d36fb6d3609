import { type Counter, type LabelValues } from 'prom-client';

/** A counter child whose increments are plain additions (see `boundCounter`). */
export interface BoundCounter {
  inc(value?: number): void;
}

interface Pending<T extends string> {
  readonly labels: LabelValues<T>;
  value: number;
}

/** The pending children of each counter, folded into it when it is read. */
const pendingByCounter = new WeakMap<object, Pending<string>[]>();

/**
 * A counter child for the hot paths: `inc` adds to a plain number, handed to prom-client when the counter is read
 * (a scrape, `get()`), instead of prom-client's label validation and hashing on every call (~180 ns a call on the
 * project's machine, ~10 increments per cache hit). Reads see every increment made before them. Counters that are
 * `reset()` are not meant for it (pending increments would land after the reset).
 */
export function boundCounter<T extends string>(counter: Counter<T>, labels: LabelValues<T>): BoundCounter {
  const pending: Pending<T> = { labels, value: 0 };
  pendingOf(counter).push(pending);
  return {
    inc(value = 1) {
      pending.value += value;
    },
  };
}

function pendingOf<T extends string>(counter: Counter<T>): Pending<string>[] {
  let list = pendingByCounter.get(counter);
  if (list !== undefined) return list;
  const children: Pending<string>[] = [];
  list = children;
  pendingByCounter.set(counter, children);
  // prom-client runs a metric's `collect` before every read of it (`get()`, hence every scrape).
  const withCollect = counter as unknown as { collect?: () => unknown };
  const own = withCollect.collect;
  withCollect.collect = function (this: unknown) {
    for (const child of children) {
      if (child.value === 0) continue;
      const value = child.value;
      child.value = 0;
      counter.inc(child.labels as LabelValues<T>, value);
    }
    return own?.call(this);
  };
  return children;
}
