import { type PurgeGenerations } from '@strata/cache-core';

interface TenantGenerations {
  sequence: number;
  readonly fields: Map<string, number>;
}

/** Purge generations of the embedded default: per tenant, a sequence and the generation of each field. */
export class MemoryPurgeGenerations implements PurgeGenerations {
  private readonly tenants = new Map<string, TenantGenerations>();

  current(tenant: string): Promise<number> {
    return Promise.resolve(this.tenants.get(tenant)?.sequence ?? 0);
  }

  advance(tenant: string, fields: readonly string[]): Promise<number> {
    let state = this.tenants.get(tenant);
    if (!state) this.tenants.set(tenant, (state = { sequence: 0, fields: new Map() }));
    const generation = ++state.sequence;
    for (const field of fields) state.fields.set(field, generation);
    return Promise.resolve(generation);
  }

  latest(tenant: string, fields: readonly string[]): Promise<number> {
    const state = this.tenants.get(tenant);
    let latest = 0;
    if (state) {
      for (const field of fields) latest = Math.max(latest, state.fields.get(field) ?? 0);
    }
    return Promise.resolve(latest);
  }
}
