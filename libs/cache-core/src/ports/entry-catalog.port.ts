export const ENTRY_CATALOG = Symbol('EntryCatalog');

/** Narrows a listing: entries in this namespace and/or carrying this tag. */
export interface CatalogFilter {
  readonly namespace?: string | undefined;
  readonly tag?: string | undefined;
}

export interface CatalogPage {
  readonly ids: readonly string[];
  /** Where the next page starts; undefined when the listing is complete. */
  readonly cursor: string | undefined;
}

export interface NamespaceCount {
  readonly name: string;
  readonly entries: number;
}

/**
 * What L2 holds per tenant, page by page, for browsing (never on a request path). Adapters walk the
 * exact store's own namespace and tag indexes, so nothing extra is written per entry; the order is the
 * store's (stable between pages; entries added or removed meanwhile may be missed or shown twice).
 */
export interface EntryCatalog {
  /** Up to `count` ids of the tenant's entries matching the filter (the filter may be applied loosely: re-check). */
  page(tenant: string, filter: CatalogFilter, cursor: string | undefined, count: number): Promise<CatalogPage>;
  /** The tenant's live entries per namespace. */
  namespaceCounts(tenant: string): Promise<NamespaceCount[]>;
}
