export const CACHE_TELEMETRY = Symbol('CacheTelemetry');

export type Tier = 'l1' | 'l2' | 'l3';
/** `empty` (L3): the lookup's context holds no entry, so its query was not embedded and nothing was searched. */
export type TierOutcome = 'hit' | 'miss' | 'error' | 'skipped' | 'empty';

/** What the cache use cases report; the service binds it to metrics and logs. */
export interface CacheTelemetry {
  lookup(tier: Tier, outcome: TierOutcome, seconds: number): void;
  tierError(tier: Tier | 'embedding' | 'generations', operation: string, error: unknown): void;
  semanticRejected(reason: string): void;
}

/** For tests and tools that do not care. */
export const NO_TELEMETRY: CacheTelemetry = {
  lookup: () => undefined,
  tierError: () => undefined,
  semanticRejected: () => undefined,
};
