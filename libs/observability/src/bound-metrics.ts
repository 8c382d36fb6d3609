import { type Counter, type Histogram, type LabelValues } from 'prom-client';

/**
 * Metric children for the hot paths. prom-client validates and hashes a child's labels on every `inc` or `observe`
 * (~180 ns for a counter, more for a histogram's bucket lookup, on the project's machine; a cache hit makes about ten
 * such calls). A bound child adds to plain numbers instead, handed to prom-client when the metric is read (a scrape,
 * `get()`): reads see every value recorded before them. Metrics that are `reset()` are not meant for them (pending
 * values would land after the reset).
 */

/** A counter child whose increments are plain additions. */
export interface BoundCounter {
  inc(value?: number): void;
}

/** A histogram child whose observations are counted in plain arrays. */
export interface BoundHistogram {
  observe(value: number): void;
}

export function boundCounter<T extends string>(counter: Counter<T>, labels: LabelValues<T>): BoundCounter {
  let pending = 0;
  beforeRead(counter, () => {
    if (pending === 0) return;
    const value = pending;
    pending = 0;
    counter.inc(labels, value);
  });
  return {
    inc(value = 1) {
      pending += value;
    },
  };
}

/** prom-client's per-label-set state of a histogram (`hashMap`), which a bound child adds its counts to. */
interface HistogramValues {
  readonly labels: Record<string, string | number>;
  readonly bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

interface HistogramInternals {
  readonly upperBounds?: unknown;
  readonly hashMap?: unknown;
  readonly enableExemplars?: boolean;
}

/**
 * A histogram child for the hot paths (see the top of this file). It adds its counts to the state prom-client keeps
 * per label set (checked by this module's spec against a plain histogram's output); a histogram without that state
 * (another prom-client) or with exemplars gets prom-client's own child.
 */
export function boundHistogram<T extends string>(histogram: Histogram<T>, labels: LabelValues<T>): BoundHistogram {
  const child = histogram.labels(labels);
  const internals = histogram as unknown as HistogramInternals;
  const bounds = internals.upperBounds;
  if (
    internals.enableExemplars === true ||
    !Array.isArray(bounds) ||
    !bounds.every((b): b is number => typeof b === 'number') ||
    typeof internals.hashMap !== 'object' ||
    internals.hashMap === null
  )
    return child;
  // counts[i]: observations ≤ bounds[i] and above bounds[i - 1]; the last slot: above every bound (+Inf only).
  const counts = new Float64Array(bounds.length + 1);
  let sum = 0;
  let count = 0;
  beforeRead(histogram, () => {
    if (count === 0) return;
    const values = valuesOf(histogram, labels);
    for (let i = 0; i < bounds.length; i++) {
      values.bucketValues[bounds[i]] += counts[i];
      counts[i] = 0;
    }
    counts[bounds.length] = 0;
    values.sum += sum;
    values.count += count;
    sum = 0;
    count = 0;
  });
  return {
    observe(value) {
      if (!Number.isFinite(value)) return child.observe(value);
      let i = 0;
      while (i < bounds.length && value > bounds[i]) i++;
      counts[i]++;
      sum += value;
      count++;
    },
  };
}

/** The histogram's state for `labels`, created (empty) when it has none yet. */
function valuesOf<T extends string>(histogram: Histogram<T>, labels: LabelValues<T>): HistogramValues {
  const find = () =>
    Object.values((histogram as unknown as { hashMap: Record<string, HistogramValues> }).hashMap).find((values) =>
      sameLabels(values.labels, labels),
    );
  const found = find();
  if (found !== undefined) return found;
  histogram.zero(labels);
  const created = find();
  if (created === undefined) throw new Error(`histogram ${JSON.stringify(labels)} has no state after zero()`);
  return created;
}

function sameLabels(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => String(a[key]) === String(b[key]));
}

/** The folds of each metric, run before it is read. */
const foldsByMetric = new WeakMap<object, (() => void)[]>();

/** Runs `fold` before every read of `metric` (prom-client calls a metric's `collect` first in `get()`, hence every scrape). */
function beforeRead(metric: object, fold: () => void): void {
  const folds = foldsByMetric.get(metric);
  if (folds !== undefined) {
    folds.push(fold);
    return;
  }
  const list = [fold];
  foldsByMetric.set(metric, list);
  const withCollect = metric as { collect?: () => unknown };
  const own = withCollect.collect;
  withCollect.collect = function (this: unknown) {
    for (const pending of list) pending();
    return own?.call(this);
  };
}
