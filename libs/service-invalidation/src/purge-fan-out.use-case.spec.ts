import { loadConfig } from '@strata/config';
import {
  type CachePurgeReply,
  type CacheService,
  ErrorCode,
  type L1EvictEvent,
  type L1Evictions,
  type PurgeSelectorMessage,
  StrataError,
} from '@strata/contracts';
import { PurgeFanOutUseCase } from './purge-fan-out.use-case';

function setup(reply: CachePurgeReply | StrataError) {
  const order: string[] = [];
  const cache = {
    purge: (selector: PurgeSelectorMessage): Promise<CachePurgeReply> => {
      order.push(`purge ${selector.tenant}`);
      return reply instanceof StrataError ? Promise.reject(reply) : Promise.resolve(reply);
    },
  } as unknown as CacheService;
  const broadcast: L1EvictEvent[] = [];
  const evictions: L1Evictions = {
    broadcast: (event) => {
      order.push('broadcast');
      broadcast.push(event);
      return Promise.resolve();
    },
  };
  const sut = new PurgeFanOutUseCase(cache, evictions, loadConfig({}, { log: { level: 'silent' } }));
  return { sut, order, broadcast };
}

describe(PurgeFanOutUseCase.name, () => {
  it('purges L3 and L2 first, then broadcasts the L1 eviction stamped with the generation, and answers the counts', async () => {
    const { sut, order, broadcast } = setup({ l2: 3, l3: 2, generation: 9 });

    await expect(sut.execute({ tenant: 'acme', tags: ['doc:1'], purgeId: 'p1' })).resolves.toEqual({
      l2: 3,
      l3: 2,
      generation: 9,
    });

    expect(order).toEqual(['purge acme', 'broadcast']);
    expect(broadcast).toEqual([{ tenant: 'acme', tags: ['doc:1'], purgeId: 'p1', generation: 9 }]);
  });

  it('broadcasts nothing for a semantic purge that selected nothing', async () => {
    const { sut, broadcast } = setup({ l2: 0, l3: 0, generation: 4, semantic: { entryIds: [], truncated: false } });

    await sut.execute({ tenant: 'acme', semantic: { text: 'returns', minSimilarity: 0.8 } });

    expect(broadcast).toEqual([]);
  });

  it('fails without broadcasting when the cache service cannot purge (the event is redelivered)', async () => {
    const { sut, order } = setup(new StrataError(ErrorCode.CacheUnavailable, 'Redis: connect ECONNREFUSED'));

    await expect(sut.execute({ tenant: 'acme', tags: ['doc:1'] })).rejects.toMatchObject({
      code: ErrorCode.CacheUnavailable,
    });

    expect(order).toEqual(['purge acme']);
  });
});
