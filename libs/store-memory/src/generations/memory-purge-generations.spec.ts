import { RETENTION_MS, describeProcessedEventsContract, describePurgeGenerationsContract } from '@strata/testing';
import { MemoryProcessedEvents } from '../events/memory-processed-events';
import { MemoryPurgeGenerations } from './memory-purge-generations';

describePurgeGenerationsContract(MemoryPurgeGenerations.name, () => {
  let now = 1_000_000;
  return Promise.resolve({
    generations: new MemoryPurgeGenerations({ retainMs: RETENTION_MS, now: () => now }),
    clock: { advance: (ms: number) => void (now += ms) },
    teardown: () => Promise.resolve(),
  });
});

describeProcessedEventsContract(MemoryProcessedEvents.name, () =>
  Promise.resolve({ events: new MemoryProcessedEvents(), teardown: () => Promise.resolve() }),
);
