import { type ProcessedEvents } from '@strata/invalidation';
import { type DataChangeEvent, ErrorCode, StrataError } from '@strata/contracts';
import { HealthChecks, StrataMetrics } from '@strata/observability';
import { loadConfig } from '@strata/config';
import { ApplyDataChangeUseCase } from './apply-data-change.use-case';
import { DATA_CHANGES_CHECK, DEGRADED_AFTER_MS, DataChangeOutage } from './data-change-outage';
import { type PurgeFanOutUseCase } from './purge-fan-out.use-case';

const unavailable = () => new StrataError(ErrorCode.CacheUnavailable, 'Redis: connect ECONNREFUSED 10.0.0.7:6379');

function setup() {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const outage = new DataChangeOutage(() => now);
  let redisUp = false;
  const processed: ProcessedEvents = {
    has: () => (redisUp ? Promise.resolve(false) : Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379'))),
    add: () => Promise.resolve(),
  };
  const fanOut = { execute: () => Promise.resolve({ l2: 1, l3: 1 }) } as unknown as PurgeFanOutUseCase;
  const sut = new ApplyDataChangeUseCase(fanOut, processed, outage, loadConfig({}));
  const event: DataChangeEvent = {
    id: 'evt-1',
    tenant: 'acme',
    tags: ['product:1'],
    occurredAt: new Date().toISOString(),
    action: 'purge',
  };
  return { sut, outage, clock, event, redis: { up: () => (redisUp = true) } };
}

describe(DataChangeOutage.name, () => {
  it('stays ready through a short cache_unavailable, counting its seconds', async () => {
    const { sut, outage, clock, event } = setup();

    await expect(sut.execute(event)).rejects.toMatchObject({ code: ErrorCode.CacheUnavailable });
    clock.advance(DEGRADED_AFTER_MS - 1);
    await expect(sut.execute(event)).rejects.toThrow();

    expect(outage.seconds()).toBeCloseTo((DEGRADED_AFTER_MS - 1) / 1000);
    await expect(outage.check()).resolves.toBeUndefined();
  });

  it('reports a cache_unavailable that lasts past the bound, with the last error, until an event applies', async () => {
    const { sut, outage, clock, event, redis } = setup();

    await expect(sut.execute(event)).rejects.toThrow();
    clock.advance(DEGRADED_AFTER_MS);
    await expect(sut.execute(event)).rejects.toThrow();

    await expect(outage.check()).rejects.toThrow(/failed with cache_unavailable for 60 s .*ECONNREFUSED/);
    redis.up();
    await expect(sut.execute(event)).resolves.toMatchObject({ applied: true });
    expect(outage.seconds()).toBe(0);
    await expect(outage.check()).resolves.toBeUndefined();
  });

  it('ignores failures that are not an unavailable dependency (they are dead-lettered after 10 tries)', () => {
    const { outage } = setup();

    outage.failed(new StrataError(ErrorCode.InvalidRequest, 'bad'));
    outage.failed(new Error('boom'));

    expect(outage.seconds()).toBe(0);
  });

  it('is a non-critical readiness check and a gauge once the module starts', async () => {
    const { outage, clock } = setup();
    outage.onModuleInit();
    outage.failed(unavailable());
    clock.advance(DEGRADED_AFTER_MS + 5_000);

    const report = await HealthChecks.shared().report();
    const gauge = await StrataMetrics.shared().dataChangesUnavailable.get();
    outage.onModuleDestroy();

    expect(report.status).toBe('degraded');
    expect(report.checks[DATA_CHANGES_CHECK]).toMatchObject({ status: 'down', critical: false });
    expect(gauge.values[0]?.value).toBe(65);
  });
});
