import { describeProcessedEventsContract, describePurgeGenerationsContract } from '@strata/testing';
import { MemoryProcessedEvents } from '../events/memory-processed-events';
import { MemoryPurgeGenerations } from './memory-purge-generations';

describePurgeGenerationsContract(MemoryPurgeGenerations.name, () =>
  Promise.resolve({ generations: new MemoryPurgeGenerations(), teardown: () => Promise.resolve() }),
);

describeProcessedEventsContract(MemoryProcessedEvents.name, () =>
  Promise.resolve({ events: new MemoryProcessedEvents(), teardown: () => Promise.resolve() }),
);
