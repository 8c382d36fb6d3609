import { type ProcessedEvents } from '@strata/cache-core';
import { type DataChangeEvent, type InvalidationPurgeReply, type PurgeSelectorMessage } from '@strata/contracts';
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
  const sut = new ApplyDataChangeUseCase(fanOut, processed, new DataChangeOutage());
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

describe(ApplyDataChangeUseCase.name, () => {
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
