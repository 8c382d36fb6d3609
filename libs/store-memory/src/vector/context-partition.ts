import { type TopK } from './top-k';

/** Something stored in a partition that must know where it sits (its position changes on swap-remove). */
export interface PartitionMember {
  position: number;
}

/**
 * The vectors of one search context (model, tenant, context hash), unit-normalised, each with its expiry time and
 * its member. Two implementations: `VectorPartition` (an exact scan, for small contexts) and `HnswGraph` (an
 * approximate-nearest-neighbour graph, for large ones); `MemoryVectorIndex` moves a context between them by size.
 */
export interface ContextPartition<M extends PartitionMember> {
  readonly dimension: number;
  /** Members held (expired ones included until removed). */
  readonly size: number;
  /** Positions in use are below `end`; some below it may be free (`memberAt` answers undefined there). */
  readonly end: number;
  /** Stores `vector` scaled by `scale` (the caller passes 1/‖vector‖, or 0 for a zero vector); sets `member.position`. */
  append(vector: ArrayLike<number>, scale: number, expiresAt: number, member: M): void;
  /** Removes the member at `position` (a `VectorPartition` moves its last member into the hole). */
  removeAt(position: number): void;
  memberAt(position: number): M | undefined;
  expiresAt(position: number): number;
  /** Dot product of `query` (a unit vector of this dimension) with the row at `position`: its cosine score. */
  scoreAt(query: Float32Array, position: number): number;
  countLive(now: number): number;
  /**
   * Offers live members scoring at least `minScore` against `query` (a unit vector) to `top`, by position, and
   * appends the positions of expired members it came across to `expired` (ascending for an exact scan). Never offers
   * an expired member or one scoring below `minScore`; an approximate partition may miss some that qualify.
   */
  search(query: Float32Array, now: number, minScore: number, top: TopK, expired: number[]): void;
}
