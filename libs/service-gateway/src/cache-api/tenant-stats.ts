import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

type LookupResult = 'l1' | 'l2' | 'l3' | 'miss' | 'bypass';

interface TenantCounts {
  readonly l1: number;
  readonly l2: number;
  readonly l3: number;
  readonly miss: number;
  readonly bypass: number;
}

const ZERO: TenantCounts = { l1: 0, l2: 0, l3: 0, miss: 0, bypass: 0 };

/** Tenants whose counts are kept (least recently active forgotten first): configured tenants are far fewer. */
const MAX_TENANTS = 10_000;

/**
 * Lookup results per tenant since start, for `/v1/cache/stats`: a tenant sees its own numbers only (the
 * process-wide counters in `/metrics` are for operators).
 */
@Injectable()
export class TenantStats {
  private readonly counts = new LRUCache<string, Record<LookupResult, number>>({ max: MAX_TENANTS });

  record(tenant: string, result: LookupResult): void {
    let counts = this.counts.get(tenant);
    if (!counts) this.counts.set(tenant, (counts = { ...ZERO }));
    counts[result]++;
  }

  of(tenant: string): TenantCounts {
    return { ...(this.counts.get(tenant) ?? ZERO) };
  }
}
