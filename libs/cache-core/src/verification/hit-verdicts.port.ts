export const HIT_VERDICTS = Symbol('HitVerdicts');

/**
 * What is known about one (query, entry) pairing: `blocked` by a client's `wrong` (final), or the model
 * judge's `verified` (the same question) / `rejected` (another question).
 */
export type PairVerdict = 'blocked' | 'verified' | 'rejected';

/** One stored answer as verdicts see it: its root id and the incarnation (a re-stored entry starts afresh). */
export interface VerdictSubject {
  readonly id: string;
  /** The entry's `createdAt`: verdicts recorded for an earlier entry with the same id do not apply to it. */
  readonly createdAt: number;
  /** Verdicts are kept as long as the entry lives. */
  readonly expiresAt: number;
}

/** An entry's own record: feedback counts and how far its similarity threshold is moved from the namespace's. */
export interface EntryTrust {
  readonly wrong: number;
  readonly right: number;
  /** Added to the request's threshold for this entry (positive after wrong hits, negative after passed audits). */
  readonly raise: number;
}

export const NO_TRUST: EntryTrust = { wrong: 0, right: 0, raise: 0 };

/** Audits of served semantic hits in one tenant's namespace: how many, and how many the judge found wrong. */
export interface AuditCounts {
  readonly audited: number;
  readonly failed: number;
}

/** One tenant's namespace's audit counts, as `HitVerdicts.auditCounts` lists them. */
export interface NamespaceAudits extends AuditCounts {
  readonly tenant: string;
  readonly namespace: string;
}

/**
 * Judge verdicts on candidates of one tenant's namespace whose similarity fell in one band (a candidate the
 * judge was asked about, or an audited hit): how many were judged and how many of them were another question.
 */
export interface BandCounts {
  readonly judged: number;
  readonly wrong: number;
}

export interface VerdictState {
  readonly pair?: PairVerdict;
  readonly trust: EntryTrust;
}

export interface TrustChange {
  readonly wrong?: number;
  readonly right?: number;
  readonly raise?: number;
  /** Bounds of the resulting raise. */
  readonly minRaise: number;
  readonly maxRaise: number;
}

/**
 * Verdicts on served semantic hits, shared by every cache service replica (Redis in distributed mode,
 * memory in the embedded default). Every adapter passes `hit-verdicts.contract.ts`.
 */
export interface HitVerdicts {
  /** The state of each entry (by id) for the query with exact key `queryKey`; entries with none are absent. */
  read(tenant: string, queryKey: string, entries: readonly VerdictSubject[]): Promise<Map<string, VerdictState>>;
  /** Records a pairing's verdict; `blocked` is final (a later judge verdict does not lift it). */
  setPair(tenant: string, queryKey: string, entry: VerdictSubject, verdict: PairVerdict): Promise<void>;
  /** Adds to the entry's counts and raise (the raise clamped to the change's bounds); returns the new record. */
  adjust(tenant: string, entry: VerdictSubject, change: TrustChange): Promise<EntryTrust>;
  /**
   * Counts one audit in the tenant's namespace (passed or failed); returns its counts across every replica. Each
   * tenant's counts are its own: another tenant's audits never move its bound.
   */
  recordAudit(tenant: string, namespace: string, passed: boolean): Promise<AuditCounts>;
  /** The audit counts of every tenant's namespace audited so far (they outlive restarts where the store does). */
  auditCounts(): Promise<NamespaceAudits[]>;
  /**
   * Counts one judge verdict in the tenant's namespace's similarity band (`band`: a small integer, the band's index);
   * returns every band's counts of that namespace across every replica.
   */
  recordBand(tenant: string, namespace: string, band: number, wrong: boolean): Promise<Map<number, BandCounts>>;
  /** Every band's counts of the tenant's namespace (empty before the first verdict). */
  bandCounts(tenant: string, namespace: string): Promise<Map<number, BandCounts>>;
}
