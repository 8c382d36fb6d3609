import { EventEmitter } from 'node:events';
import { type RunningStrata } from './start-strata';
import { type ServiceProcess, superviseService } from './run-service';

class FakeProcess extends EventEmitter implements ServiceProcess {
  readonly exits: number[] = [];
  readonly out: string[] = [];
  readonly stdout = { write: (text: string) => this.out.push(text) };
  readonly stderr = { write: (text: string) => this.out.push(text) };
  exit(code: number): void {
    this.exits.push(code);
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe(superviseService.name, () => {
  it('exits at once on SIGTERM while the service is still starting (e.g. waiting for a broker)', async () => {
    const proc = new FakeProcess();
    superviseService('cache', () => new Promise<RunningStrata>(() => undefined), proc);

    proc.emit('SIGTERM');
    await flush();

    expect(proc.exits).toEqual([0]);
    expect(proc.out).toEqual(['SIGTERM while cache was starting: exiting\n']);
  });

  it('installs its handlers before starting the service', () => {
    const proc = new FakeProcess();
    let listenersAtStart = 0;
    superviseService(
      'gateway',
      () => {
        listenersAtStart = proc.listenerCount('SIGTERM');
        return new Promise<RunningStrata>(() => undefined);
      },
      proc,
    );

    expect(listenersAtStart).toBe(1);
  });

  it('drains a started service on SIGTERM, then exits 0', async () => {
    const proc = new FakeProcess();
    const stopped: string[] = [];
    const running: RunningStrata = {
      url: undefined,
      port: 9464,
      stop: () => (stopped.push('stopped'), Promise.resolve()),
    };
    superviseService('invalidation', () => Promise.resolve(running), proc);
    await flush();

    proc.emit('SIGTERM');
    await flush();

    expect(stopped).toEqual(['stopped']);
    expect(proc.exits).toEqual([0]);
  });

  it('exits 1 when a started service cannot stop within the deadline', async () => {
    jest.useFakeTimers();
    try {
      const proc = new FakeProcess();
      const running: RunningStrata = { url: undefined, port: 1, stop: () => new Promise<void>(() => undefined) };
      superviseService('cache', () => Promise.resolve(running), proc, 50);
      await Promise.resolve();
      await Promise.resolve();

      proc.emit('SIGTERM');
      jest.advanceTimersByTime(60);

      expect(proc.exits).toEqual([1]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('exits 1 with the error when the service fails to start', async () => {
    const proc = new FakeProcess();
    superviseService('cache', () => Promise.reject(new Error('no Redis')), proc);
    await flush();

    expect(proc.exits).toEqual([1]);
    expect(proc.out[0]).toMatch(/^Strata cache failed to start: Error: no Redis/);
  });
});
