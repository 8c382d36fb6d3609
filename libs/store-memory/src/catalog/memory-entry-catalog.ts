import { type CatalogFilter, type CatalogPage, type EntryCatalog, type NamespaceCount } from '@strata/cache-core';
import { type MemoryExactStore } from '../exact/memory-exact-store';

function offsetOf(cursor: string | undefined): number {
  const offset = cursor === undefined ? 0 : Number(cursor);
  return Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
}

/**
 * The entry catalog of the in-memory L2: the tenant's entries newest first (ties by id), paged by offset.
 * Each page sorts the tenant's matching entries again — fine for a bounded embedded store and a console.
 */
export class MemoryEntryCatalog implements EntryCatalog {
  constructor(private readonly store: MemoryExactStore) {}

  page(tenant: string, filter: CatalogFilter, cursor: string | undefined, count: number): Promise<CatalogPage> {
    const entries = this.store
      .entriesOf(tenant, filter)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const offset = offsetOf(cursor);
    const ids = entries.slice(offset, offset + count).map((entry) => entry.id);
    const next = offset + ids.length;
    return Promise.resolve({ ids, cursor: next < entries.length ? String(next) : undefined });
  }

  namespaceCounts(tenant: string): Promise<NamespaceCount[]> {
    return Promise.resolve(
      this.store.namespaceSizes(tenant).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
  }
}
