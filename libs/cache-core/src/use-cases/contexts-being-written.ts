/**
 * The (tenant, context) pairs with a semantic write in flight in this process: a store's embedding, then its L3
 * upsert. L3 may hold such a context any moment (`VectorIndex.holds` only knows what has landed), so a lookup there
 * embeds and searches rather than taking the context's emptiness as final, and a lookup of a context it found empty
 * lately waits for the writes that began before its embedding was asked for ({@link inFlight}) before it searches.
 */
export class ContextsBeingWritten {
  private readonly writes = new Map<string, Set<Promise<unknown>>>();

  /** Tracks `write` into the context until it settles; returns it. */
  track<T>(tenant: string, contextHash: string, write: Promise<T>): Promise<T> {
    const key = keyOf(tenant, contextHash);
    let writes = this.writes.get(key);
    if (writes === undefined) this.writes.set(key, (writes = new Set()));
    writes.add(write);
    const end = () => {
      writes.delete(write);
      if (writes.size === 0 && this.writes.get(key) === writes) this.writes.delete(key);
    };
    write.then(end, end);
    return write;
  }

  has(tenant: string, contextHash: string): boolean {
    return this.writes.has(keyOf(tenant, contextHash));
  }

  /** Settles once every write into the context in flight now has (never rejects); undefined when there is none. */
  inFlight(tenant: string, contextHash: string): Promise<void> | undefined {
    const writes = this.writes.get(keyOf(tenant, contextHash));
    if (writes === undefined) return undefined;
    return Promise.allSettled([...writes]).then(() => undefined);
  }
}

function keyOf(tenant: string, contextHash: string): string {
  return `${contextHash}\n${tenant}`;
}
