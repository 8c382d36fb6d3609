import { createHash } from 'node:crypto';

/**
 * Prefix-affinity routing over the replicas of one self-hosted model server. Each request's routing key
 * (its stable-prefix hash) ranks the replicas by rendezvous (highest-random-weight) hashing, so a prefix
 * keeps going to the same replica — whose prefix (KV) cache then holds it — and only the keys of a
 * removed replica move. Bounded load: a replica already above (1 + ε) × the mean in-flight count is
 * passed over for the next in the key's ranking. The ranking is also the failover order.
 */
export class ReplicaSet<T> {
  private readonly inFlight: number[];
  private readonly seeds: readonly string[];

  constructor(
    readonly replicas: readonly T[],
    /** A stable name per replica (its URL): the hash input, so rankings survive restarts and reordering. */
    names: readonly string[],
    /** ε: how far above the mean in-flight count a replica may go before it is passed over. */
    private readonly loadFactor: number,
  ) {
    if (replicas.length === 0 || names.length !== replicas.length)
      throw new Error('a replica set needs one name per replica, and at least one');
    this.inFlight = replicas.map(() => 0);
    this.seeds = names;
  }

  get size(): number {
    return this.replicas.length;
  }

  /** In-flight requests per replica (for tests and metrics). */
  load(): readonly number[] {
    return [...this.inFlight];
  }

  /** Replica indices in the order to try for this key: the first within the load bound, then the rest by rank. */
  order(key: string): number[] {
    const ranked = this.seeds
      .map((seed, index) => ({
        index,
        score: createHash('sha256').update(`${seed}\u0000${key}`).digest().readUInt32BE(0),
      }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .map((r) => r.index);
    const total = this.inFlight.reduce((sum, n) => sum + n, 0);
    const cap = Math.ceil(((1 + this.loadFactor) * (total + 1)) / this.replicas.length);
    const first = ranked.find((i) => (this.inFlight[i] ?? 0) < cap) ?? ranked[0] ?? 0;
    return [first, ...ranked.filter((i) => i !== first)];
  }

  /** Counts a request in flight on a replica; call the returned function once when it is over. */
  acquire(index: number): () => void {
    this.inFlight[index] = (this.inFlight[index] ?? 0) + 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight[index] = (this.inFlight[index] ?? 1) - 1;
    };
  }
}
