export const PROCESSED_EVENTS = Symbol('ProcessedEvents');

/** Which data-change events were applied: a redelivered or duplicated event is applied once. */
export interface ProcessedEvents {
  has(tenant: string, eventId: string): Promise<boolean>;
  /** Remembers the event (for days: longer than any redelivery). */
  add(tenant: string, eventId: string): Promise<void>;
}
