import { type ContextPartition, type PartitionMember } from './context-partition';
import { dotRows } from './simd-dot';
import { type TopK } from './top-k';

const MIN_CAPACITY = 4;

/**
 * The exact partition: the vectors of one search context, unit-normalised and packed row by row in one contiguous Float32Array
 * (with their expiry times in a parallel Float64Array), so a search is one linear dot-product scan.
 * Appends grow the arrays by doubling; removal swaps the last row into the hole (O(dimension)); the arrays
 * shrink by half once three quarters are unused.
 */
export class VectorPartition<M extends PartitionMember> implements ContextPartition<M> {
  private vectors: Float32Array;
  private expiries: Float64Array;
  /** Dense: `members[i]` owns row `i`. */
  private readonly members: M[] = [];
  private length = 0;

  constructor(
    readonly dimension: number,
    initialCapacity = MIN_CAPACITY,
  ) {
    const capacity = Math.max(MIN_CAPACITY, initialCapacity);
    this.vectors = new Float32Array(capacity * dimension);
    this.expiries = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  get end(): number {
    return this.length;
  }

  get capacity(): number {
    return this.expiries.length;
  }

  /** Stores `vector` scaled by `scale` (the caller passes 1/‖vector‖, or 0 for a zero vector). */
  append(vector: ArrayLike<number>, scale: number, expiresAt: number, member: M): void {
    if (this.length === this.capacity) this.resize(this.capacity * 2);
    const position = this.length++;
    const base = position * this.dimension;
    for (let d = 0; d < this.dimension; d++) this.vectors[base + d] = vector[d] * scale;
    this.expiries[position] = expiresAt;
    this.members.push(member);
    member.position = position;
  }

  /** Removes the member at `position`, moving the last one into its place. */
  removeAt(position: number): void {
    const last = --this.length;
    if (position !== last) {
      const dim = this.dimension;
      this.vectors.copyWithin(position * dim, last * dim, last * dim + dim);
      this.expiries[position] = this.expiries[last];
      const moved = this.members[last];
      this.members[position] = moved;
      moved.position = position;
    }
    this.members.pop();
    if (this.capacity > MIN_CAPACITY && this.length <= this.capacity / 4) this.resize(this.capacity / 2);
  }

  memberAt(position: number): M {
    return this.members[position];
  }

  /** The stored unit vector at `position` (a view: copy it before the next append or removal). */
  vectorAt(position: number): Float32Array {
    return this.vectors.subarray(position * this.dimension, (position + 1) * this.dimension);
  }

  expiresAt(position: number): number {
    return this.expiries[position];
  }

  countLive(now: number): number {
    let live = 0;
    for (let i = 0; i < this.length; i++) if (this.expiries[i] > now) live++;
    return live;
  }

  /** Dot product of `query` (a unit vector of this dimension) with the row at `position`: its cosine score. */
  scoreAt(query: Float32Array, position: number): number {
    const vectors = this.vectors;
    const base = position * this.dimension;
    let score = 0;
    for (let d = 0; d < this.dimension; d++) score += query[d] * vectors[base + d];
    return score;
  }

  search(query: Float32Array, now: number, minScore: number, top: TopK, expired: number[]): void {
    this.scan(query, now, minScore, top, expired);
  }

  /**
   * Offers every live row scoring at least `minScore` against `query` (a unit vector of this dimension) to
   * `top`; appends the positions of expired rows to `expired`. Allocation-free (unless rows expired): the hot loop
   * of an L3 lookup in a small context.
   */
  scan(query: Float32Array, now: number, minScore: number, top: TopK, expired: number[]): void {
    const vectors = this.vectors;
    const expiries = this.expiries;
    const dim = this.dimension;
    for (let i = 0, base = 0; i < this.length; i++, base += dim) {
      if (expiries[i] <= now) {
        expired.push(i);
        continue;
      }
      // The graph's kernel's arithmetic, so a scanned context and a graph score a row identically.
      const score = dotRows(query, 0, vectors, base, dim);
      if (score >= minScore && top.accepts(score)) top.offer(score, i);
    }
  }

  private resize(capacity: number): void {
    const vectors = new Float32Array(capacity * this.dimension);
    vectors.set(this.vectors.subarray(0, this.length * this.dimension));
    const expiries = new Float64Array(capacity);
    expiries.set(this.expiries.subarray(0, this.length));
    this.vectors = vectors;
    this.expiries = expiries;
  }
}
