/**
 * The best `limit` (score, position) pairs seen so far, best first. Backed by typed arrays that are reused
 * across searches (grown only when a larger limit is asked for), so collecting candidates allocates nothing.
 * Ties keep the earlier-offered position first.
 */
export class TopK {
  private scores = new Float64Array(16);
  private positions = new Int32Array(16);
  private limit = 0;
  private filled = 0;

  /** Starts a new collection of at most `limit` pairs. */
  reset(limit: number): void {
    if (limit > this.scores.length) {
      const capacity = Math.max(limit, this.scores.length * 2);
      this.scores = new Float64Array(capacity);
      this.positions = new Int32Array(capacity);
    }
    this.limit = limit;
    this.filled = 0;
  }

  /** The most pairs this collection keeps (the `limit` of the last `reset`). */
  get max(): number {
    return this.limit;
  }

  get count(): number {
    return this.filled;
  }

  /** True when `score` would enter the current top (cheap pre-check for the scan loop). */
  accepts(score: number): boolean {
    return this.filled < this.limit || score > this.scores[this.filled - 1];
  }

  offer(score: number, position: number): void {
    if (!this.accepts(score)) return;
    let i = this.filled < this.limit ? this.filled++ : this.filled - 1;
    while (i > 0 && this.scores[i - 1] < score) {
      this.scores[i] = this.scores[i - 1];
      this.positions[i] = this.positions[i - 1];
      i--;
    }
    this.scores[i] = score;
    this.positions[i] = position;
  }

  scoreAt(rank: number): number {
    return this.scores[rank];
  }

  positionAt(rank: number): number {
    return this.positions[rank];
  }
}
