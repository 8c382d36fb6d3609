/**
 * The (tenant, context) pairs with a semantic write in flight in this process: a store's embedding, then its L3
 * upsert. L3 may hold such a context any moment, so a lookup there embeds and searches rather than taking the
 * context's emptiness as final (`VectorIndex.holds` only knows what has landed).
 */
export class ContextsBeingWritten {
  private readonly counts = new Map<string, number>();

  /** A write into the context starts; `end` it with the key returned. */
  begin(tenant: string, contextHash: string): string {
    const key = `${contextHash}\n${tenant}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return key;
  }

  end(key: string): void {
    const left = (this.counts.get(key) ?? 1) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }

  has(tenant: string, contextHash: string): boolean {
    return this.counts.has(`${contextHash}\n${tenant}`);
  }
}
