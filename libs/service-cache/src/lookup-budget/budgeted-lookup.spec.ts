import { type CacheTelemetry, type LookupUseCase, NO_TELEMETRY, type PurgeGenerations } from '@strata/cache-core';
import { type CacheLookupReply, type CacheLookupRequest } from '@strata/contracts';
import { BudgetedLookup } from './budgeted-lookup';
import { MessageTransit } from './message-transit';

const request: CacheLookupRequest = {
  tenant: 'acme',
  namespace: 'default',
  model: 'm',
  exactKey: 'a'.repeat(64),
  contextHash: 'c'.repeat(64),
  query: 'how do I feed my cat',
  mode: 'auto',
  budgetMs: 750,
};

/** A lookup use case that records what it was asked and answers `reply`: a miss with ticket 7 unless told. */
function setup(options: { reply?: CacheLookupReply; generationsFail?: boolean } = {}) {
  const clock = { now: 1_000_000 };
  const asked: CacheLookupRequest[] = [];
  const counted: string[] = [];
  const lookup = {
    execute: (r: CacheLookupRequest) => {
      asked.push(r);
      return Promise.resolve(options.reply ?? { hit: false, ticket: 7 });
    },
  } as Pick<LookupUseCase, 'execute'> as LookupUseCase;
  const generations = {
    current: () => (options.generationsFail ? Promise.reject(new Error('down')) : Promise.resolve(9)),
  } as Pick<PurgeGenerations, 'current'> as PurgeGenerations;
  const telemetry: CacheTelemetry = {
    ...NO_TELEMETRY,
    lookup: (tier, outcome) => counted.push(`${tier} ${outcome}`),
    tierError: (tier, operation) => counted.push(`${tier} ${operation}`),
  };
  const budgeted = new BudgetedLookup(lookup, generations, telemetry, new MessageTransit(() => clock.now));
  /** Sent by `sender` (clock `skewMs` ahead of ours), received `delayMs` later. */
  const send = (r: CacheLookupRequest, delayMs: number, skewMs = 0, sender = 'gw-a') => {
    const at = clock.now + skewMs;
    clock.now += delayMs;
    return budgeted.execute(r, {}, { sender, at });
  };
  return { asked, counted, send, budgeted, clock };
}

describe(BudgetedLookup.name, () => {
  it('hands the lookup what is left of its budget after its time on the way', async () => {
    const { asked, send } = setup();
    await send(request, 1);
    await send(request, 301);

    expect(asked.map((r) => r.budgetMs)).toEqual([750, 450]);
  });

  it('answers a lookup whose budget ran out on its way a miss with its ticket at once, saying so, counted as a skipped semantic step', async () => {
    const { asked, counted, send } = setup();
    await send(request, 1);
    counted.length = 0;

    expect(await send(request, 801)).toEqual({ hit: false, ticket: 7, semantic: 'busy', late: true });
    // Its L2 read only: no embedding asked for.
    expect(asked[1]).toMatchObject({ mode: 'exact' });
    expect(asked[1].budgetMs).toBeUndefined();
    expect(counted).toEqual(['l3 skipped', 'embedding late']);
  });

  it('still serves an L2 hit to a lookup whose budget ran out', async () => {
    const entry = { id: 'e1' } as Extract<CacheLookupReply, { hit: true }>['entry'];
    const { counted, send } = setup({ reply: { hit: true, tier: 'l2', entry } });
    await send(request, 1);

    expect(await send(request, 2_000)).toEqual({ hit: true, tier: 'l2', entry });
    expect(counted).toEqual([]);
  });

  it('answers a late semantic-only lookup with the ticket alone (it reads no L2), or with none when it cannot be read', async () => {
    for (const [generationsFail, reply] of [
      [false, { hit: false, ticket: 9, semantic: 'busy', late: true }],
      [true, { hit: false, semantic: 'busy', late: true }],
    ] as const) {
      const { asked, send } = setup({ generationsFail });
      await send(request, 1);
      expect(await send({ ...request, mode: 'semantic' }, 900)).toEqual(reply);
      expect(asked).toHaveLength(1);
    }
  });

  it('looks up in full a late lookup with no semantic step to skip, and one without a budget', async () => {
    const { asked, send } = setup();
    await send(request, 1);
    const exact = { ...request, mode: 'exact' as const };
    const unbudgeted = { ...request, budgetMs: undefined };

    expect(await send(exact, 900)).toEqual({ hit: false, ticket: 7 });
    expect(await send(unbudgeted, 900)).toEqual({ hit: false, ticket: 7 });
    expect(asked.slice(1)).toEqual([exact, unbudgeted]);
  });

  it.each([
    ['2 s ahead of ours', 2_000],
    ['2 s behind ours', -2_000],
  ])('refuses no lookup for a sender clock %s, and still counts its real delays', async (_, skew) => {
    const { asked, send } = setup();
    for (let i = 0; i < 5; i++) expect(await send(request, 2, skew)).toEqual({ hit: false, ticket: 7 });
    expect(asked.map((r) => r.budgetMs)).toEqual([750, 750, 750, 750, 750]);

    expect((await send(request, 502, skew)).hit).toBe(false);
    expect(asked[5].budgetMs).toBe(250);
    expect(await send(request, 1_002, skew)).toMatchObject({ late: true });
  });

  it('takes nothing off a lookup sent in-process at once (the embedded default), nor off one whose send time is unknown', async () => {
    const { asked, budgeted, clock } = setup();
    for (let i = 0; i < 3; i++) {
      await budgeted.execute(request, {}, { sender: 'in-process', at: clock.now });
      clock.now += 1_000;
    }
    await budgeted.execute(request, {});

    expect(asked.map((r) => r.budgetMs)).toEqual([750, 750, 750, 750]);
  });
});
