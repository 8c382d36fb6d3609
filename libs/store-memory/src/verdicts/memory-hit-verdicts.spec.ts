import { describeHitVerdictsContract } from '@strata/testing';
import { MemoryHitVerdicts } from './memory-hit-verdicts';

describeHitVerdictsContract(MemoryHitVerdicts.name, () =>
  Promise.resolve({ verdicts: new MemoryHitVerdicts({ maxEntries: 100 }), teardown: () => Promise.resolve() }),
);
