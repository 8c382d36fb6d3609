import { Inject, Injectable } from '@nestjs/common';
import {
  CACHE_TELEMETRY,
  type CacheTelemetry,
  LookupUseCase,
  PURGE_GENERATIONS,
  type PurgeGenerations,
} from '@strata/cache-core';
import { type CacheLookupReply, type CacheLookupRequest, type RequestContext } from '@strata/contracts';
import { MessageTransit, type SentMessage } from './message-transit';

/** Why a late lookup's semantic step is counted as skipped: one error, built once (a backlog makes many). */
const LATE = new Error("the lookup's budget ran out on its way to the cache service; its semantic step was not taken");

/**
 * A lookup whose budget (`budgetMs`, how long its sender waits) is counted from when it was sent, not from when it
 * arrived: what it spent on its way ({@link MessageTransit}) is taken off before the lookup use case hands the rest to
 * the embedding service. Both adapters go through it: over Kafka the message's send time, in-process the call's (a
 * transit of 0).
 *
 * A lookup that arrives with nothing left is not searched: it answers at once a miss with its ticket, `semantic:
 * 'busy'` and `late: true` (counted as the semantic step skipped, `strata_tier_errors_total{tier="embedding",
 * operation="late"}`, as a busy one is with `operation="busy"`), and asks the embedding service nothing — a queue
 * of such lookups drains in the time their L2 reads take instead of each adding an embedding request to the backlog
 * that made them late. Its L2 read still happens and a hit is served: it is one round trip (a Redis GET, under a
 * millisecond) that the miss needs anyway for its ticket, and a sender may still be waiting (an inline judge's
 * lookup is waited for longer than its budget; the transit may be overstated by a sender's clock stepping back).
 */
@Injectable()
export class BudgetedLookup {
  constructor(
    private readonly lookup: LookupUseCase,
    @Inject(PURGE_GENERATIONS) private readonly generations: PurgeGenerations,
    @Inject(CACHE_TELEMETRY) private readonly telemetry: CacheTelemetry,
    private readonly transit: MessageTransit,
  ) {}

  /** `sent`: when and by whom the lookup was sent (absent: its budget counts from now). */
  async execute(request: CacheLookupRequest, context: RequestContext, sent?: SentMessage): Promise<CacheLookupReply> {
    // Every sent lookup is measured, budgeted or not: its sender's floor learns from each.
    const elapsed = sent === undefined ? 0 : this.transit.elapsedMs(sent);
    const budget = request.budgetMs;
    if (budget === undefined || elapsed === 0) return this.lookup.execute(request, context);
    if (elapsed < budget) return this.lookup.execute({ ...request, budgetMs: budget - elapsed }, context);
    if (request.mode === 'exact' || request.query === '') return this.lookup.execute(request, context);
    const reply =
      request.mode === 'semantic' ? await this.ticket(request.tenant) : await this.exactOnly(request, context);
    if (reply.hit) return reply;
    this.telemetry.lookup('l3', 'skipped', 0);
    this.telemetry.tierError('embedding', 'late', LATE);
    return { ...reply, semantic: 'busy', late: true };
  }

  /** Its L2 read alone (the hit, or the miss and its ticket). */
  private exactOnly(request: CacheLookupRequest, context: RequestContext): Promise<CacheLookupReply> {
    const { budgetMs: _budget, ...rest } = request;
    return this.lookup.execute({ ...rest, mode: 'exact' }, context);
  }

  /** A semantic-only lookup reads no L2: its miss and ticket (none when the generations cannot be read). */
  private async ticket(tenant: string): Promise<CacheLookupReply> {
    try {
      return { hit: false, ticket: await this.generations.current(tenant) };
    } catch (error) {
      this.telemetry.tierError('generations', 'current', error);
      return { hit: false };
    }
  }
}
