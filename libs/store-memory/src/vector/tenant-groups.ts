/**
 * Members grouped by (tenant, key): the tag and namespace indexes of the in-memory vector index. Nested maps keep
 * tenants apart without joining strings. A group of one holds its member directly (every entry has its own
 * `$entry:<id>` tag, so most tag groups are singletons) and becomes a Set from the second member on.
 */
export class TenantGroups<T extends object> {
  private readonly byTenant = new Map<string, Map<string, T | Set<T>>>();

  add(tenant: string, key: string, member: T): void {
    let groups = this.byTenant.get(tenant);
    if (!groups) {
      groups = new Map();
      this.byTenant.set(tenant, groups);
    }
    const group = groups.get(key);
    if (group === undefined) groups.set(key, member);
    else if (group instanceof Set) group.add(member);
    else if (group !== member) groups.set(key, new Set([group, member]));
  }

  remove(tenant: string, key: string, member: T): void {
    const groups = this.byTenant.get(tenant);
    const group = groups?.get(key);
    if (!groups || group === undefined) return;
    if (group instanceof Set) {
      group.delete(member);
      if (group.size === 1) groups.set(key, group.values().next().value as T);
      return;
    }
    if (group !== member) return;
    groups.delete(key);
    if (groups.size === 0) this.byTenant.delete(tenant);
  }

  /** Adds the members of (tenant, key) to `into` (a snapshot, safe to use while members are removed). */
  collect(tenant: string, key: string, into: Set<T>): void {
    const group = this.byTenant.get(tenant)?.get(key);
    if (group === undefined) return;
    if (group instanceof Set) for (const member of group) into.add(member);
    else into.add(group);
  }

  /** Number of (tenant, key) groups: for tests that check nothing is left behind. */
  get groups(): number {
    let groups = 0;
    for (const keys of this.byTenant.values()) groups += keys.size;
    return groups;
  }
}
