import { type PurgeGenerations } from '@strata/cache-core';

interface TenantGenerations {
  sequence: number;
  /** Entries below it are stale: the epoch start, raised by every forgotten field's generation. */
  floor: number;
  /** field → [generation, stamped at]; in stamping order (a re-stamped field moves to the end). */
  readonly fields: Map<string, [number, number]>;
}

interface MemoryPurgeGenerationsOptions {
  /**
   * How long a field's generation is kept after its last purge: longer than any entry can live (the
   * largest TTL), after which no entry it could make stale exists any more. Default: forever.
   */
  readonly retainMs?: number;
  /** Most fields kept per tenant; past it the oldest are folded into the floor. Default 100 000. */
  readonly maxFieldsPerTenant?: number;
  readonly now?: () => number;
  /**
   * The first generation of a tenant's state (its epoch start). Default: the clock in microseconds, so a
   * restarted process starts above every generation it handed out before. Tests may pin it.
   */
  readonly epochStart?: () => number;
}

/**
 * Purge generations of the embedded default: per tenant, a sequence, a floor and the generation of each
 * field (see `PurgeGenerations` for epochs and the floor). Memory is bounded by the per-tenant cap.
 */
export class MemoryPurgeGenerations implements PurgeGenerations {
  private readonly tenants = new Map<string, TenantGenerations>();
  private readonly retainMs: number;
  private readonly maxFields: number;
  private readonly now: () => number;
  private readonly epochStart: () => number;

  constructor(options: MemoryPurgeGenerationsOptions = {}) {
    this.retainMs = options.retainMs ?? Number.POSITIVE_INFINITY;
    this.maxFields = options.maxFieldsPerTenant ?? 100_000;
    this.now = options.now ?? Date.now;
    this.epochStart = options.epochStart ?? (() => Math.floor(this.now() * 1000));
  }

  current(tenant: string): Promise<number> {
    return Promise.resolve(this.state(tenant).sequence);
  }

  advance(tenant: string, fields: readonly string[]): Promise<number> {
    const state = this.state(tenant);
    const generation = ++state.sequence;
    const now = this.now();
    for (const field of fields) {
      state.fields.delete(field);
      state.fields.set(field, [generation, now]);
    }
    for (const [field, [stamped, at]] of state.fields) {
      if (now - at <= this.retainMs && state.fields.size <= this.maxFields) break;
      state.floor = Math.max(state.floor, stamped);
      state.fields.delete(field);
    }
    return Promise.resolve(generation);
  }

  latest(tenant: string, fields: readonly string[]): Promise<number> {
    const state = this.state(tenant);
    let latest = state.floor;
    for (const field of fields) latest = Math.max(latest, state.fields.get(field)?.[0] ?? 0);
    return Promise.resolve(latest);
  }

  /** Fields currently kept for the tenant (what the cap bounds). */
  size(tenant: string): number {
    return this.tenants.get(tenant)?.fields.size ?? 0;
  }

  private state(tenant: string): TenantGenerations {
    let state = this.tenants.get(tenant);
    if (!state) {
      const start = this.epochStart();
      this.tenants.set(tenant, (state = { sequence: start, floor: start, fields: new Map() }));
    }
    return state;
  }
}
