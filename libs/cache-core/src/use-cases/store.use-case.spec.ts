import { type CacheStoreRequest, ErrorCode } from '@strata/contracts';
import { MemoryExactStore, MemoryPurgeGenerations, MemoryVectorIndex } from '@strata/store-memory';
import { fingerprintRequest } from '../keys/request-fingerprint';
import { type CacheTelemetry } from '../ports/cache-telemetry.port';
import { type Embedder } from '../ports/embedder.port';
import { type VectorIndex } from '../ports/vector-index.port';
import { StoreUseCase } from './store.use-case';

const answering: Embedder = { embed: () => Promise.resolve({ model: 'm', vector: [1, 0, 0] }) };
const hanging: Embedder = { embed: () => new Promise(() => undefined) };

/** An embedder whose answers wait until `release` (each call gets the vector once released). */
function gatedEmbedder() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  let calls = 0;
  const embedder: Embedder = {
    embed: async () => {
      calls++;
      await opened;
      return { model: 'm', vector: [1, 0, 0] };
    },
  };
  return { embedder, release: open, calls: () => calls };
}

/** An L2 that refuses every write. */
class FailingExactStore extends MemoryExactStore {
  override put(): Promise<void> {
    return Promise.reject(new Error('redis down'));
  }
}

/** An L3 that refuses every write. */
class FailingUpsertIndex extends MemoryVectorIndex {
  override upsert(): Promise<void> {
    return Promise.reject(new Error('qdrant down'));
  }
}

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

function setup(
  embedder: Embedder,
  l3: VectorIndex = new MemoryVectorIndex({}),
  semanticBudgetMs?: number,
  extra: { l2?: MemoryExactStore; maxBackgroundWrites?: number } = {},
) {
  const errors: string[] = [];
  const telemetry: CacheTelemetry = {
    lookup: () => undefined,
    tierError: (tier, operation) => errors.push(`${tier} ${operation}`),
    semanticRejected: () => undefined,
  };
  const l2 = extra.l2 ?? new MemoryExactStore({ maxEntries: 10 });
  const sut = new StoreUseCase(l2, l3, embedder, new MemoryPurgeGenerations({ epochStart: () => 0 }), telemetry, {
    ...(semanticBudgetMs === undefined ? {} : { semanticBudgetMs }),
    ...(extra.maxBackgroundWrites === undefined ? {} : { maxBackgroundWrites: extra.maxBackgroundWrites }),
  });
  return { sut, l2, l3, errors };
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

  describe("a background store (the proxy's, after a miss)", () => {
    const background = (question: string): CacheStoreRequest => ({ ...request(question), semantic: 'background' });

    it('replies once L2 holds the entry, and L3 gets it when the embedding comes', async () => {
      const gate = gatedEmbedder();
      const l3 = new MemoryVectorIndex({});
      const { sut, l2 } = setup(gate.embedder, l3, 1_000);
      const reply = await sut.execute(background('how long is the warranty?'));
      expect(reply).toEqual({ id: reply.id, l2: true, l3: false, l3Pending: true, generation: 0 });
      expect(await l2.get('acme', reply.id)).toBeDefined();
      expect(gate.calls()).toBe(1);
      expect(sut.backgroundWrites).toBe(1);
      expect(await l3.count()).toBe(0);

      gate.release();
      await sut.drain(1_000);
      expect(sut.backgroundWrites).toBe(0);
      expect(await l3.count()).toBe(1);
    });

    it('waits for L3 after all when L2 refuses the entry, and says whether L3 took it', async () => {
      const { sut } = setup(answering, undefined, 1_000, { l2: new FailingExactStore({ maxEntries: 10 }) });
      await expect(sut.execute(background('how long is the warranty?'))).resolves.toMatchObject({
        l2: false,
        l3: true,
      });
      const failing = setup(answering, new FailingUpsertIndex({}), 1_000, {
        l2: new FailingExactStore({ maxEntries: 10 }),
      });
      await expect(failing.sut.execute(background('how long is the warranty?'))).rejects.toMatchObject({
        code: ErrorCode.CacheUnavailable,
      });
    });

    it('keeps the L2 copy and skips L3 (counted) once too many semantic writes are waiting', async () => {
      const gate = gatedEmbedder();
      const { sut, errors } = setup(gate.embedder, undefined, 1_000, { maxBackgroundWrites: 1 });
      expect(await sut.execute(background('first question'))).toMatchObject({ l2: true, l3Pending: true });
      const second = await sut.execute(background('second question'));
      expect(second).toEqual({ id: second.id, l2: true, l3: false, generation: 0 });
      expect(errors).toEqual(['l3 backlog']);
      expect(gate.calls()).toBe(1);
      gate.release();
      await sut.drain(1_000);
    });

    it('stops draining after its timeout when a semantic write hangs', async () => {
      const { sut } = setup(hanging, undefined, 1_000);
      await sut.execute(background('how long is the warranty?'));
      const started = Date.now();
      await sut.drain(20);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(sut.backgroundWrites).toBe(1);
    });

    it('writes L2 alone when there is no question to embed', async () => {
      const { sut } = setup(answering, undefined, 1_000);
      const reply = await sut.execute({ ...background('x'), query: '' });
      expect(reply).toEqual({ id: reply.id, l2: true, l3: false, generation: 0 });
      expect(sut.backgroundWrites).toBe(0);
    });
  });
});
