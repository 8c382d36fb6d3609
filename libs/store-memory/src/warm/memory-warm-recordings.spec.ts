import { describeWarmRecordingsContract } from '@strata/testing';
import { MemoryWarmRecordings } from './memory-warm-recordings';

describeWarmRecordingsContract(MemoryWarmRecordings.name, () => {
  let now = 1_000_000;
  return Promise.resolve({
    recordings: new MemoryWarmRecordings({ now: () => now }),
    advance: (ms: number) => {
      now += ms;
      return Promise.resolve();
    },
    teardown: () => Promise.resolve(),
  });
});

describe(MemoryWarmRecordings.name, () => {
  it('keeps at most its bound per tenant, forgetting the oldest recordings first', async () => {
    const sut = new MemoryWarmRecordings({ maxPerTenant: 2 });
    for (const id of ['a', 'b', 'c'])
      await sut.record('acme', { entryId: id, namespace: 'docs', version: 1, api: 'openai', body: '{}', tags: [] }, 60);
    expect([...(await sut.get('acme', ['a', 'b', 'c'])).keys()]).toEqual(['b', 'c']);
  });
});
