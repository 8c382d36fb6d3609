import { Injectable } from '@nestjs/common';
import {
  type DataChangeEvent,
  type InvalidationRecentReply,
  type RecentDataChange,
  type RecentDeadLetter,
} from '@strata/contracts';
import { type DataChangeOutcome } from './apply-data-change.use-case';

/** Kept per replica: enough for "what happened just now", bounded whatever the traffic. */
export const RECENT_EVENTS = 100;
const RECENT_DEAD_LETTERS = 50;
/** Tags shown per event (an event may carry 10 000). */
const TAGS_SHOWN = 20;
const TEXT_SHOWN = 200;

function push<T>(ring: T[], item: T, max: number): void {
  ring.push(item);
  if (ring.length > max) ring.splice(0, ring.length - max);
}

/**
 * The last data-change events this invalidation service replica handled and the malformed ones it dead-lettered,
 * in memory, newest first on read. A tenant reads only its own; nothing here is durable (the audit log and the DLQ
 * topic are).
 */
@Injectable()
export class RecentActivity {
  private readonly events: RecentDataChange[] = [];
  private readonly deadLetters: RecentDeadLetter[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  handled(event: DataChangeEvent, result: DataChangeOutcome | Error, startedAt: number): void {
    const error = result instanceof Error;
    push(
      this.events,
      {
        at: new Date(this.now()).toISOString(),
        id: event.id,
        tenant: event.tenant,
        tags: event.tags.slice(0, TAGS_SHOWN),
        ...(event.namespace === undefined ? {} : { namespace: event.namespace }),
        ...(event.semantic === undefined ? {} : { semantic: event.semantic.text.slice(0, TEXT_SHOWN) }),
        action: event.action,
        outcome: error ? 'failed' : result.applied ? 'applied' : 'duplicate',
        ...(error || result.purged === undefined ? {} : { purged: result.purged }),
        latencyMs: Math.max(0, this.now() - startedAt),
        ...(error ? { error: result.message.slice(0, TEXT_SHOWN) } : {}),
      },
      RECENT_EVENTS,
    );
  }

  deadLettered(topic: string, data: unknown, reason: string): void {
    const tenant = (data as { tenant?: unknown } | null)?.tenant;
    push(
      this.deadLetters,
      {
        at: new Date(this.now()).toISOString(),
        topic,
        ...(typeof tenant === 'string' && tenant !== '' ? { tenant } : {}),
        reason: reason.slice(0, TEXT_SHOWN * 2),
      },
      RECENT_DEAD_LETTERS,
    );
  }

  /** Newest first; only `tenant`'s when given. */
  recent(tenant: string | undefined): InvalidationRecentReply {
    const mine = <T extends { tenant?: string | undefined }>(items: T[]) =>
      items.filter((item) => tenant === undefined || item.tenant === tenant).reverse();
    return { events: mine(this.events), deadLetters: mine(this.deadLetters) };
  }
}
