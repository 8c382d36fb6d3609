import { Inject, Injectable, Logger } from '@nestjs/common';
import { entryTag } from '@strata/cache-core';
import { PROCESSED_EVENTS, ProcessedEvents } from '@strata/invalidation';
import { type DataChangeEvent, ErrorCode, type RequestContext, StrataError } from '@strata/contracts';
import { STRATA_CONFIG, type StrataConfig } from '@strata/config';
import { StrataMetrics } from '@strata/observability';
import { userPurgeTag } from './user-erasure';
import { DataChangeOutage } from './data-change-outage';
import { PurgeFanOutUseCase } from './purge-fan-out.use-case';

export interface DataChangeOutcome {
  readonly applied: boolean;
  readonly purged?: { readonly l2: number; readonly l3: number };
}

/**
 * Applies a data-change event once: purge (or invalidate) what it names across every tier, then
 * remember its id. A failure before the purge is confirmed propagates, so the event is redelivered
 * (its offset is not committed); a redelivery after it is recognised and skipped.
 */
@Injectable()
export class ApplyDataChangeUseCase {
  private readonly audit = new Logger('Audit');
  private readonly metrics = StrataMetrics.shared();

  constructor(
    private readonly fanOut: PurgeFanOutUseCase,
    @Inject(PROCESSED_EVENTS) private readonly processed: ProcessedEvents,
    private readonly outage: DataChangeOutage,
    @Inject(STRATA_CONFIG) private readonly config: StrataConfig,
  ) {}

  /**
   * Applies the event; a lasting `cache_unavailable` is reported by {@link DataChangeOutage}. `context`: the request
   * that published it (the gateway's `POST /v1/invalidations`), if any: named by the purge's messages and audit line.
   */
  async execute(event: DataChangeEvent, context: RequestContext = {}): Promise<DataChangeOutcome> {
    try {
      const outcome = await this.apply(event, context);
      this.outage.applied();
      return outcome;
    } catch (error) {
      this.outage.failed(error);
      throw error;
    }
  }

  private async apply(event: DataChangeEvent, context: RequestContext): Promise<DataChangeOutcome> {
    if (await this.alreadyApplied(event)) {
      this.metrics.dataChangeEvents.inc({ outcome: 'duplicate' });
      return { applied: false };
    }
    const tags = [
      ...event.tags,
      ...(event.entryIds ?? []).map(entryTag),
      ...(event.user === undefined ? [] : [userPurgeTag(this.config, event.tenant, event.user)]),
    ];
    const started = Date.now();
    const purged = await this.fanOut.execute(
      {
        tenant: event.tenant,
        ...(tags.length > 0 ? { tags } : {}),
        ...(event.namespace === undefined ? {} : { namespace: event.namespace }),
        ...(event.semantic === undefined ? {} : { semantic: event.semantic }),
        action: event.action,
      },
      context,
    );
    try {
      await this.processed.add(event.tenant, event.id);
    } catch (error) {
      // The purge is done; a redelivery would only purge again, which is harmless.
      this.audit.warn({
        msg: `could not record event ${event.id} as applied: ${(error as Error).message}`,
        requestId: context.requestId,
      });
    }
    // The semantic selection can hold thousands of ids: the audit line keeps its size, not its ids.
    const { semantic: selected, ...counts } = purged;
    const now = Date.now();
    const occurred = Date.parse(event.occurredAt);
    const latency = Math.max(0, now - (Number.isNaN(occurred) ? started : occurred)) / 1000;
    this.metrics.eventToPurge.observe(latency);
    this.metrics.dataChangeEvents.inc({ outcome: 'applied' });
    // Structured fields (not a JSON string inside the message): the logger's redaction applies to them.
    this.audit.log({
      msg: 'data change applied',
      event: event.id,
      tenant: event.tenant,
      tags: event.tags,
      // Never the user id: its pseudonym's tag (the same that selected the entries).
      ...(event.user === undefined ? {} : { user: userPurgeTag(this.config, event.tenant, event.user) }),
      entryIds: event.entryIds ?? [],
      namespace: event.namespace ?? null,
      ...(event.semantic === undefined
        ? {}
        : {
            semantic: {
              ...event.semantic,
              matched: selected?.entryIds.length ?? 0,
              truncated: selected?.truncated ?? false,
            },
          }),
      action: event.action,
      reason: event.reason ?? null,
      purged: counts,
      latencyMs: Math.round(latency * 1000),
      applyMs: now - started,
      requestId: context.requestId,
    });
    return { applied: true, purged };
  }

  private async alreadyApplied(event: DataChangeEvent): Promise<boolean> {
    try {
      return await this.processed.has(event.tenant, event.id);
    } catch (error) {
      throw new StrataError(
        ErrorCode.CacheUnavailable,
        `cannot tell whether event ${event.id} was applied already (${(error as Error).message}); not applied, retry`,
      );
    }
  }
}
