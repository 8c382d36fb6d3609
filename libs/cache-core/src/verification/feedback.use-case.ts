import { type CacheFeedbackReply, type CacheFeedbackRequest } from '@strata/contracts';
import { type CacheEntry, isExpired } from '../domain/cache-entry';
import { type ExactStore } from '../ports/exact-store.port';
import { type EntryTrust, type HitVerdicts, NO_TRUST, type VerdictSubject } from './hit-verdicts.port';
import { type SemanticGate } from './semantic-gate';

export interface FeedbackOptions {
  /** `wrong` verdicts on semantic hits of one entry after which the entry is purged. */
  readonly wrongsToPurge: number;
  /** What each `wrong` on a semantic hit adds to the entry's own similarity threshold. */
  readonly raiseStep: number;
  /** How far below the namespace's threshold an entry's own may be (see `SemanticGateOptions.maxLowering`). */
  readonly maxLowering: number;
  readonly now: () => number;
}

/** Where audit results are applied: the semantic gate's audit accounting (`SemanticGate.auditResult`). */
export type AuditResults = Pick<SemanticGate, 'auditResult'>;

/**
 * A client's verdict on an answer it was served. `wrong` on a semantic hit (the request's key is not the
 * entry's) blocks that (query, entry) pairing for good, raises the entry's own threshold and counts; the
 * `wrongsToPurge`th such `wrong` asks for the entry to be purged. `wrong` on an exact hit, or on the entry
 * without naming the request, asks for a purge at once (the answer itself is wrong). `right` counts, and
 * marks the pairing verified. The purge and the L1 eviction are the caller's: it owns the broadcast.
 * An audit result (`source: 'audit'`, a gateway's shadow upstream call) is no client's verdict: it goes to the
 * gate's audit accounting, the one path a judge audit takes (`blocked` when it failed, `counted` when it passed).
 */
export class FeedbackUseCase {
  constructor(
    private readonly l2: ExactStore,
    private readonly verdicts: HitVerdicts,
    private readonly options: FeedbackOptions,
    /** Absent: audit results change nothing (`action: 'none'`). */
    private readonly audits?: AuditResults,
  ) {}

  async execute(request: CacheFeedbackRequest): Promise<CacheFeedbackReply> {
    const entry = await this.root(request.tenant, request.entryId);
    if (!entry) return { found: false, action: 'none', wrong: 0, right: 0, thresholdRaise: 0 };
    const subject: VerdictSubject = { id: entry.id, createdAt: entry.createdAt, expiresAt: entry.expiresAt };
    if (request.source === 'audit') return await this.audit(request, entry, subject);
    const semantic = request.exactKey !== undefined && request.exactKey !== entry.exactKey;
    const bounds = { minRaise: -this.options.maxLowering, maxRaise: 1 };
    let trust: EntryTrust;
    let action: CacheFeedbackReply['action'];
    if (request.verdict === 'right') {
      if (semantic && request.exactKey !== undefined)
        await this.verdicts.setPair(request.tenant, request.exactKey, subject, 'verified');
      trust = await this.verdicts.adjust(request.tenant, subject, { right: 1, ...bounds });
      action = 'counted';
    } else if (semantic && request.exactKey !== undefined) {
      // The block first: from here on no replica serves this pairing, whatever happens next.
      await this.verdicts.setPair(request.tenant, request.exactKey, subject, 'blocked');
      trust = await this.verdicts.adjust(request.tenant, subject, {
        wrong: 1,
        raise: this.options.raiseStep,
        ...bounds,
      });
      action = trust.wrong >= this.options.wrongsToPurge ? 'purge' : 'blocked';
    } else {
      trust = await this.verdicts.adjust(request.tenant, subject, { wrong: 1, ...bounds });
      action = 'purge';
    }
    return { found: true, action, wrong: trust.wrong, right: trust.right, thresholdRaise: trust.raise };
  }

  private async audit(
    request: CacheFeedbackRequest,
    entry: CacheEntry,
    subject: VerdictSubject,
  ): Promise<CacheFeedbackReply> {
    const { tenant, exactKey, audit } = request;
    if (!this.audits || exactKey === undefined || audit === undefined)
      return { found: true, action: 'none', wrong: 0, right: 0, thresholdRaise: 0 };
    const passed = request.verdict === 'right';
    await this.audits.auditResult(
      {
        tenant,
        namespace: audit.namespace,
        exactKey,
        query: entry.query,
        verification: { maxWrongHitRate: audit.maxWrongHitRate },
      },
      entry,
      audit.similarity,
      passed,
    );
    const trust = (await this.verdicts.read(tenant, exactKey, [subject])).get(subject.id)?.trust ?? NO_TRUST;
    return {
      found: true,
      action: passed ? 'counted' : 'blocked',
      wrong: trust.wrong,
      right: trust.right,
      thresholdRaise: trust.raise,
    };
  }

  /** The tenant's live entry with this id, resolved to the entry it was copied from (backfilled copies judge their root). */
  private async root(tenant: string, id: string): Promise<CacheEntry | undefined> {
    const now = this.options.now();
    const live = (e: CacheEntry | undefined): e is CacheEntry =>
      e !== undefined && e.tenant === tenant && !isExpired(e, now);
    const entry = await this.l2.get(tenant, id);
    if (!live(entry)) return undefined;
    if (entry.aliasOf === undefined) return entry;
    const root = await this.l2.get(tenant, entry.aliasOf);
    return live(root) ? root : entry;
  }
}
