import {
  MAX_FIELDS_PER_TENANT,
  RETENTION_MS,
  describeProcessedEventsContract,
  describePurgeGenerationsContract,
} from '@strata/testing';
import { type PurgeGenerations } from '@strata/cache-core';
import { MemoryProcessedEvents } from '../events/memory-processed-events';
import { MemoryPurgeGenerations } from './memory-purge-generations';

describePurgeGenerationsContract(MemoryPurgeGenerations.name, () => {
  let now = 1_700_000_000_000;
  const build = (): MemoryPurgeGenerations =>
    new MemoryPurgeGenerations({ retainMs: RETENTION_MS, maxFieldsPerTenant: MAX_FIELDS_PER_TENANT, now: () => now });
  // A process restart: the state is gone, the clock goes on.
  let inner = build();
  const generations: PurgeGenerations = {
    current: (tenant) => inner.current(tenant),
    advance: (tenant, fields) => inner.advance(tenant, fields),
    latest: (tenant, fields) => inner.latest(tenant, fields),
  };
  return Promise.resolve({
    generations,
    clock: { advance: (ms: number) => void (now += ms) },
    loseState: () => Promise.resolve(void (inner = build())),
    teardown: () => Promise.resolve(),
  });
});

describe(MemoryPurgeGenerations.name, () => {
  it('holds at most the cap of fields per tenant however many distinct tags are purged', async () => {
    const generations = new MemoryPurgeGenerations({ maxFieldsPerTenant: 1_000 });
    for (let i = 0; i < 20; i++)
      await generations.advance(
        'acme',
        Array.from({ length: 500 }, (_, j) => `t:${i}-${j}`),
      );
    expect(generations.size('acme')).toBe(1_000);
  });
});

describeProcessedEventsContract(MemoryProcessedEvents.name, () =>
  Promise.resolve({ events: new MemoryProcessedEvents(), teardown: () => Promise.resolve() }),
);
