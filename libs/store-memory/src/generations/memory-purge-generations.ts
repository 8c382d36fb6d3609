import { type PurgeGenerations } from '@strata/cache-core';

interface TenantGenerations {
  sequence: number;
  /** field → [generation, stamped at]; in stamping order (a re-stamped field moves to the end). */
  readonly fields: Map<string, [number, number]>;
}

export interface MemoryPurgeGenerationsOptions {
  /**
   * How long a field's generation is kept after its last purge: longer than any entry can live (the
   * largest TTL), after which no entry it could make stale exists any more. Default: forever.
   */
  readonly retainMs?: number;
  readonly now?: () => number;
}

/** Purge generations of the embedded default: per tenant, a sequence and the generation of each field. */
export class MemoryPurgeGenerations implements PurgeGenerations {
  private readonly tenants = new Map<string, TenantGenerations>();
  private readonly retainMs: number;
  private readonly now: () => number;

  constructor(options: MemoryPurgeGenerationsOptions = {}) {
    this.retainMs = options.retainMs ?? Number.POSITIVE_INFINITY;
    this.now = options.now ?? Date.now;
  }

  current(tenant: string): Promise<number> {
    return Promise.resolve(this.tenants.get(tenant)?.sequence ?? 0);
  }

  advance(tenant: string, fields: readonly string[]): Promise<number> {
    let state = this.tenants.get(tenant);
    if (!state) this.tenants.set(tenant, (state = { sequence: 0, fields: new Map() }));
    const generation = ++state.sequence;
    const now = this.now();
    for (const field of fields) {
      state.fields.delete(field);
      state.fields.set(field, [generation, now]);
    }
    for (const [field, [, at]] of state.fields) {
      if (now - at <= this.retainMs) break;
      state.fields.delete(field);
    }
    return Promise.resolve(generation);
  }

  latest(tenant: string, fields: readonly string[]): Promise<number> {
    const state = this.tenants.get(tenant);
    let latest = 0;
    if (state) {
      for (const field of fields) latest = Math.max(latest, state.fields.get(field)?.[0] ?? 0);
    }
    return Promise.resolve(latest);
  }
}
