/**
 * ids grouped by (tenant, key) — the tag index and the namespace index of the in-memory exact store.
 * Nested maps keep tenants apart without encoding them into a joined string key.
 */
export class TenantIndex {
  private readonly byTenant = new Map<string, Map<string, Set<string>>>();

  add(tenant: string, key: string, id: string): void {
    let keys = this.byTenant.get(tenant);
    if (!keys) {
      keys = new Map();
      this.byTenant.set(tenant, keys);
    }
    let ids = keys.get(key);
    if (!ids) {
      ids = new Set();
      keys.set(key, ids);
    }
    ids.add(id);
  }

  remove(tenant: string, key: string, id: string): void {
    const keys = this.byTenant.get(tenant);
    const ids = keys?.get(key);
    if (!keys || !ids) return;
    ids.delete(id);
    if (ids.size === 0) {
      keys.delete(key);
      if (keys.size === 0) this.byTenant.delete(tenant);
    }
  }

  /** A snapshot (safe to iterate while members are removed). */
  members(tenant: string, key: string): string[] {
    const ids = this.byTenant.get(tenant)?.get(key);
    return ids ? [...ids] : [];
  }

  /** The tenant's keys with their member counts. */
  sizes(tenant: string): Array<[key: string, members: number]> {
    return [...(this.byTenant.get(tenant) ?? new Map<string, Set<string>>())].map(([key, ids]) => [key, ids.size]);
  }

  /** Number of (tenant, key) groups: for tests that check nothing is left behind. */
  get groups(): number {
    let groups = 0;
    for (const keys of this.byTenant.values()) groups += keys.size;
    return groups;
  }
}
