/**
 * A binary heap of (score, node) pairs on typed arrays, reused across searches (grown by doubling, never shrunk),
 * so a graph search allocates nothing. `best` orders by highest score first (candidates to expand); `worst` keeps the
 * lowest score on top (a bounded result set that drops its worst member).
 */
export class ScoredHeap {
  private scores = new Float64Array(64);
  private nodes = new Int32Array(64);
  private length = 0;

  /** +1: highest score on top; -1: lowest score on top. */
  private constructor(private readonly sign: 1 | -1) {}

  static best(): ScoredHeap {
    return new ScoredHeap(1);
  }

  static worst(): ScoredHeap {
    return new ScoredHeap(-1);
  }

  get size(): number {
    return this.length;
  }

  clear(): void {
    this.length = 0;
  }

  /** Score of the top pair; undefined behaviour when empty. */
  topScore(): number {
    return this.scores[0] * this.sign;
  }

  topNode(): number {
    return this.nodes[0];
  }

  /** Score and node at heap position `i` (0 ≤ i < size), in no particular order: for draining without popping. */
  scoreAt(i: number): number {
    return this.scores[i] * this.sign;
  }

  nodeAt(i: number): number {
    return this.nodes[i];
  }

  push(score: number, node: number): void {
    if (this.length === this.scores.length) this.grow();
    const keyed = score * this.sign;
    let i = this.length++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.scores[parent] >= keyed) break;
      this.scores[i] = this.scores[parent];
      this.nodes[i] = this.nodes[parent];
      i = parent;
    }
    this.scores[i] = keyed;
    this.nodes[i] = node;
  }

  /** Removes the top pair (call `topScore`/`topNode` first to read it). */
  pop(): void {
    const last = --this.length;
    if (last <= 0) return;
    const keyed = this.scores[last];
    const node = this.nodes[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.scores[child + 1] > this.scores[child]) child++;
      if (this.scores[child] <= keyed) break;
      this.scores[i] = this.scores[child];
      this.nodes[i] = this.nodes[child];
      i = child;
    }
    this.scores[i] = keyed;
    this.nodes[i] = node;
  }

  private grow(): void {
    const scores = new Float64Array(this.scores.length * 2);
    scores.set(this.scores);
    const nodes = new Int32Array(this.nodes.length * 2);
    nodes.set(this.nodes);
    this.scores = scores;
    this.nodes = nodes;
  }
}
