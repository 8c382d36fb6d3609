import { type CacheStoreRequest } from '@strata/contracts';
import { MemoryExactStore, MemoryPurgeGenerations, MemoryVectorIndex } from '@strata/store-memory';
import { fingerprintRequest } from '../keys/request-fingerprint';
import { type CacheTelemetry } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type VectorIndex } from '../ports/vector-index.port';
import { StoreUseCase } from './store.use-case';

const answering: Embedder = { embed: () => Promise.resolve({ model: 'm', vector: [1, 0, 0] }) };
const hanging: Embedder = { embed: () => new Promise(() => undefined) };

class HangingUpsertIndex extends MemoryVectorIndex {
  override upsert(): Promise<void> {
    return new Promise(() => undefined);
  }
}

function request(question: string): CacheStoreRequest {
  const fp = fingerprintRequest({
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: 'm',
    messages: [{ role: 'user', content: question }],
  });
  return {
    tenant: 'acme',
    namespace: 'default',
    namespaceVersion: 1,
    model: 'm',
    ...fp,
    response: 'answer',
    tags: [],
    ttlSeconds: 60,
    storedAt: Date.now(),
  };
}

function setup(embedder: Embedder, l3: VectorIndex = new MemoryVectorIndex({}), semanticBudgetMs?: number) {
  const errors: string[] = [];
  const telemetry: CacheTelemetry = {
    lookup: () => undefined,
    tierError: (tier, operation) => errors.push(`${tier} ${operation}`),
    semanticRejected: () => undefined,
  };
  const l2 = new MemoryExactStore({ maxEntries: 10 });
  const sut = new StoreUseCase(
    l2,
    l3,
    embedder,
    new MemoryPurgeGenerations({ epochStart: () => 0 }),
    telemetry,
    semanticBudgetMs === undefined ? {} : { semanticBudgetMs },
  );
  return { sut, l2, errors };
}

describe(StoreUseCase.name, () => {
  it('writes both tiers when embedding and L3 answer within the budget', async () => {
    const { sut } = setup(answering, undefined, 1_000);
    await expect(sut.execute(request('how long is the warranty?'))).resolves.toMatchObject({ l2: true, l3: true });
  });

  it('acknowledges the L2 write (l3: false) when the embedder hangs past the semantic budget', async () => {
    const { sut, l2, errors } = setup(hanging, undefined, 5);
    const reply = await sut.execute(request('how long is the warranty?'));
    expect(reply).toMatchObject({ l2: true, l3: false });
    expect(await l2.get('acme', reply.id)).toBeDefined();
    expect(errors).toEqual(['embedding embed']);
  });

  it('acknowledges the L2 write (l3: false) when the L3 upsert hangs past the semantic budget', async () => {
    const { sut, errors } = setup(answering, new HangingUpsertIndex({}), 5);
    await expect(sut.execute(request('how long is the warranty?'))).resolves.toMatchObject({ l2: true, l3: false });
    expect(errors).toEqual(['l3 upsert']);
  });

  it('caps a ticket from the future at the current generation, so the entry stays purgeable', async () => {
    const { sut, l2 } = setup(answering);
    const forged = { ...request('What is the price?'), ticket: Number.MAX_SAFE_INTEGER, tags: ['product:1'] };
    const reply = await sut.execute(forged);
    expect(reply.generation).toBe(0);
    expect((await l2.get('acme', reply.id))?.generation).toBe(0);
  });
});
