import { type ProcessedEvents } from '@strata/invalidation';
import { type DataChangeEvent, type InvalidationPurgeReply, type PurgeSelectorMessage } from '@strata/contracts';
import { userScopeHash } from '@strata/cache-core';
import { loadConfig } from '@strata/config';
import { ApplyDataChangeUseCase } from './apply-data-change.use-case';
import { DataChangeOutage } from './data-change-outage';
import { type PurgeFanOutUseCase } from './purge-fan-out.use-case';

/** Remembers applied events in memory; `add` can be made to fail. */
class FakeProcessedEvents implements ProcessedEvents {
  readonly applied = new Set<string>();
  failAdd = false;

  has(tenant: string, eventId: string): Promise<boolean> {
    return Promise.resolve(this.applied.has(`${tenant}/${eventId}`));
  }

  add(tenant: string, eventId: string): Promise<void> {
    if (this.failAdd) return Promise.reject(new Error('READONLY You cannot write against a read only replica'));
    this.applied.add(`${tenant}/${eventId}`);
    return Promise.resolve();
  }
}

function setup() {
  const purges: PurgeSelectorMessage[] = [];
  const fanOut = {
    execute: (selector: PurgeSelectorMessage): Promise<InvalidationPurgeReply> => {
      purges.push(selector);
      return Promise.resolve({ l2: 2, l3: 1, generation: 5 });
    },
  } as unknown as PurgeFanOutUseCase;
  const processed = new FakeProcessedEvents();
  const sut = new ApplyDataChangeUseCase(fanOut, processed, new DataChangeOutage(), CONFIG);
  return { sut, purges, processed };
}

const event = (overrides: Partial<DataChangeEvent> = {}): DataChangeEvent => ({
  id: 'evt-1',
  tenant: 'acme',
  tags: ['product:1'],
  action: 'purge',
  occurredAt: new Date().toISOString(),
  ...overrides,
});

const SALT = 'salt-of-this-deployment';
const CONFIG = loadConfig({ STRATA_USER_ID_SALT: SALT });

describe(ApplyDataChangeUseCase.name, () => {
  it('forgets a user by the tag of their pseudonym, never passing the id on', async () => {
    const { sut, purges } = setup();

    await sut.execute(event({ tags: [], user: 'alice@example.com' }));

    expect(purges).toEqual([
      { tenant: 'acme', tags: [`$user:${userScopeHash(SALT, 'acme', 'alice@example.com')}`], action: 'purge' },
    ]);
    expect(JSON.stringify(purges)).not.toContain('alice');
  });

  it('refuses a user event where no salt is configured (nothing here can be user-scoped)', async () => {
    const fanOut = { execute: () => Promise.resolve({ l2: 0, l3: 0 }) } as unknown as PurgeFanOutUseCase;
    const sut = new ApplyDataChangeUseCase(fanOut, new FakeProcessedEvents(), new DataChangeOutage(), loadConfig({}));

    await expect(sut.execute(event({ tags: [], user: 'alice' }))).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('purges what the event names and remembers it as applied', async () => {
    const { sut, purges, processed } = setup();

    await expect(
      sut.execute(event({ entryIds: ['0b4f6a52-9a8e-4d0e-9a3c-0f5c1d2e3f40'], namespace: 'support' })),
    ).resolves.toEqual({
      applied: true,
      purged: { l2: 2, l3: 1, generation: 5 },
    });

    expect(purges).toEqual([
      {
        tenant: 'acme',
        tags: ['product:1', '$entry:0b4f6a52-9a8e-4d0e-9a3c-0f5c1d2e3f40'],
        namespace: 'support',
        action: 'purge',
      },
    ]);
    expect(processed.applied.has('acme/evt-1')).toBe(true);
  });

  it('applies a redelivered or duplicated event once', async () => {
    const { sut, purges } = setup();

    await sut.execute(event());
    await expect(sut.execute(event())).resolves.toEqual({ applied: false });

    expect(purges).toHaveLength(1);
  });

  it('keeps events of other tenants with the same id apart', async () => {
    const { sut, purges } = setup();

    await sut.execute(event());
    await sut.execute(event({ tenant: 'globex' }));

    expect(purges.map((p) => p.tenant)).toEqual(['acme', 'globex']);
  });

  it('still confirms a purge that could not be recorded (a redelivery only purges again)', async () => {
    const { sut, purges, processed } = setup();
    processed.failAdd = true;

    await expect(sut.execute(event())).resolves.toMatchObject({ applied: true });
    await expect(sut.execute(event())).resolves.toMatchObject({ applied: true });

    expect(purges).toHaveLength(2);
  });
});
