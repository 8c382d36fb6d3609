import { type DataChangeEvent } from '@strata/contracts';
import { RECENT_EVENTS, RecentActivity } from './recent-activity';

function event(id: string, tenant = 'acme'): DataChangeEvent {
  return { id, tenant, tags: ['doc:returns'], action: 'purge', occurredAt: new Date(0).toISOString() };
}

describe(RecentActivity.name, () => {
  it('lists handled events newest first with their outcome, counts and latency', () => {
    let now = 1_000;
    const sut = new RecentActivity(() => now);
    sut.handled(event('e1'), { applied: true, purged: { l2: 2, l3: 1 } }, 990);
    now = 2_000;
    sut.handled(event('e1'), { applied: false }, 1_995);
    sut.handled(event('e2'), new Error('cache_unavailable: Redis is away'), 1_500);

    expect(sut.recent(undefined).events).toEqual([
      expect.objectContaining({
        id: 'e2',
        outcome: 'failed',
        error: 'cache_unavailable: Redis is away',
        latencyMs: 500,
      }),
      expect.objectContaining({ id: 'e1', outcome: 'duplicate', latencyMs: 5 }),
      expect.objectContaining({ id: 'e1', outcome: 'applied', purged: { l2: 2, l3: 1 }, latencyMs: 10 }),
    ]);
  });

  it("shows a tenant only its own events and dead letters; admins everyone's", () => {
    const sut = new RecentActivity();
    sut.handled(event('a', 'acme'), { applied: true }, 0);
    sut.handled(event('g', 'globex'), { applied: true }, 0);
    sut.deadLettered('strata.data-changes.v1', { tenant: 'globex', tags: 7 }, 'tags: Expected array');
    sut.deadLettered('strata.data-changes.v1', 'not json', 'expected an object');

    expect(sut.recent('acme')).toEqual({ events: [expect.objectContaining({ id: 'a' })], deadLetters: [] });
    expect(sut.recent('globex').deadLetters).toEqual([
      expect.objectContaining({ tenant: 'globex', reason: 'tags: Expected array' }),
    ]);
    expect(sut.recent(undefined).deadLetters).toHaveLength(2);
  });

  it('keeps only the most recent events', () => {
    const sut = new RecentActivity();
    for (let i = 0; i < RECENT_EVENTS + 5; i++) sut.handled(event(`e${i}`), { applied: true }, 0);

    const { events } = sut.recent(undefined);
    expect(events).toHaveLength(RECENT_EVENTS);
    expect(events[0]?.id).toBe(`e${RECENT_EVENTS + 4}`);
  });
});
