/**
 * Metric label values chosen by clients (model names) are bounded: the first `max` distinct values are
 * kept, later ones are reported as `other`, so a client cannot blow up the metrics' cardinality.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly max: number) {}

  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}
