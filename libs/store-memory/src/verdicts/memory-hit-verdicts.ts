import {
  type AuditCounts,
  type NamespaceAudits,
  type BandCounts,
  type EntryTrust,
  type HitVerdicts,
  NO_TRUST,
  type PairVerdict,
  type TrustChange,
  type VerdictState,
  type VerdictSubject,
} from '@strata/cache-core';
import { LRUCache } from 'lru-cache';

/** (tenant, namespace) pairs with band counts kept. */
const MAX_BAND_NAMESPACES = 10_000;

interface Record {
  createdAt: number;
  trust: EntryTrust;
  pairs: Map<string, PairVerdict>;
}

export interface MemoryHitVerdictsOptions {
  /** Entries with a record kept (the least recently used are dropped). Default 100 000. */
  readonly maxEntries?: number;
  /** Pairings remembered per entry. Default 1 000. */
  readonly maxPairsPerEntry?: number;
  readonly now?: () => number;
}

/** Hit verdicts of the embedded default: one record per (tenant, entry), gone with the entry's expiry. */
export class MemoryHitVerdicts implements HitVerdicts {
  private readonly records: LRUCache<string, Record>;
  private readonly maxPairs: number;
  private readonly now: () => number;
  /** Audit counts per (tenant, namespace), kept for the process' life. */
  private readonly audits = new Map<string, NamespaceAudits>();
  /** Band counts per (tenant, namespace), kept for the process' life like the audit counts. */
  private readonly bands = new Map<string, Map<number, BandCounts>>();

  constructor(options: MemoryHitVerdictsOptions = {}) {
    this.records = new LRUCache({ max: options.maxEntries ?? 100_000 });
    this.maxPairs = options.maxPairsPerEntry ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  read(tenant: string, queryKey: string, entries: readonly VerdictSubject[]): Promise<Map<string, VerdictState>> {
    const states = new Map<string, VerdictState>();
    for (const entry of entries) {
      const record = this.live(tenant, entry);
      if (!record) continue;
      const pair = record.pairs.get(queryKey);
      states.set(entry.id, pair === undefined ? { trust: record.trust } : { pair, trust: record.trust });
    }
    return Promise.resolve(states);
  }

  setPair(tenant: string, queryKey: string, entry: VerdictSubject, verdict: PairVerdict): Promise<void> {
    const record = this.record(tenant, entry);
    if (record.pairs.get(queryKey) !== 'blocked') {
      // The oldest pairing makes room; a block is never the one dropped while another is left.
      if (!record.pairs.has(queryKey) && record.pairs.size >= this.maxPairs) {
        for (const [key, value] of record.pairs)
          if (value !== 'blocked') {
            record.pairs.delete(key);
            break;
          }
      }
      record.pairs.set(queryKey, verdict);
    }
    return Promise.resolve();
  }

  adjust(tenant: string, entry: VerdictSubject, change: TrustChange): Promise<EntryTrust> {
    const record = this.record(tenant, entry);
    const raise = Math.min(change.maxRaise, Math.max(change.minRaise, record.trust.raise + (change.raise ?? 0)));
    record.trust = {
      wrong: record.trust.wrong + (change.wrong ?? 0),
      right: record.trust.right + (change.right ?? 0),
      raise: Math.round(raise * 1e6) / 1e6,
    };
    return Promise.resolve(record.trust);
  }

  recordAudit(tenant: string, namespace: string, passed: boolean): Promise<AuditCounts> {
    const key = JSON.stringify([tenant, namespace]);
    const old = this.audits.get(key) ?? { tenant, namespace, audited: 0, failed: 0 };
    const next = { tenant, namespace, audited: old.audited + 1, failed: old.failed + (passed ? 0 : 1) };
    this.audits.set(key, next);
    return Promise.resolve({ audited: next.audited, failed: next.failed });
  }

  auditCounts(): Promise<NamespaceAudits[]> {
    return Promise.resolve([...this.audits.values()]);
  }

  recordBand(tenant: string, namespace: string, band: number, wrong: boolean): Promise<Map<number, BandCounts>> {
    const key = `${tenant}\u0000${namespace}`;
    let bands = this.bands.get(key);
    if (!bands) {
      // Bounded like the entry records: the namespace counted first makes room (it starts again, with no trust).
      const oldest = this.bands.size >= MAX_BAND_NAMESPACES ? this.bands.keys().next().value : undefined;
      if (oldest !== undefined) this.bands.delete(oldest);
      bands = new Map<number, BandCounts>();
    }
    const old = bands.get(band) ?? { judged: 0, wrong: 0 };
    bands.set(band, { judged: old.judged + 1, wrong: old.wrong + (wrong ? 1 : 0) });
    this.bands.set(key, bands);
    return Promise.resolve(new Map(bands));
  }

  bandCounts(tenant: string, namespace: string): Promise<Map<number, BandCounts>> {
    return Promise.resolve(new Map(this.bands.get(`${tenant}\u0000${namespace}`) ?? []));
  }

  /** The entry's record if it belongs to this incarnation of the entry. */
  private live(tenant: string, entry: VerdictSubject): Record | undefined {
    const record = this.records.get(`${tenant}\u0000${entry.id}`);
    return record && record.createdAt === entry.createdAt ? record : undefined;
  }

  private record(tenant: string, entry: VerdictSubject): Record {
    let record = this.live(tenant, entry);
    if (!record) {
      record = { createdAt: entry.createdAt, trust: NO_TRUST, pairs: new Map() };
      const ttl = Math.max(1, entry.expiresAt - this.now());
      this.records.set(`${tenant}\u0000${entry.id}`, record, { ttl });
    }
    return record;
  }
}
