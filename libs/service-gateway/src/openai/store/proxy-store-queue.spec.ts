import { loadConfig } from '@strata/config';
import { ProxyStoreQueue } from './proxy-store-queue';
import { type StoreJobOutcome } from './store-queue';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function job() {
  const seen = { runs: 0, outcome: undefined as StoreJobOutcome | undefined };
  return {
    seen,
    job: {
      run: () => {
        seen.runs++;
        return Promise.resolve();
      },
      settle: (outcome: StoreJobOutcome) => (seen.outcome = outcome),
    },
  };
}

describe(ProxyStoreQueue.name, () => {
  it('starts a store in the next turn of the event loop, after the microtasks that answered the request', async () => {
    const sut = new ProxyStoreQueue(loadConfig({}));
    const { seen, job: store } = job();

    sut.enqueue(store);
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(seen.runs).toBe(0);

    await nextTurn();
    await nextTurn();
    expect(seen).toEqual({ runs: 1, outcome: 'stored' });
  });

  it('lets shutdown wait for a store handed over in the same turn', async () => {
    const sut = new ProxyStoreQueue(loadConfig({}));
    const { seen, job: store } = job();

    sut.enqueue(store);
    await sut.beforeApplicationShutdown();

    expect(seen).toEqual({ runs: 1, outcome: 'stored' });
  });
});
