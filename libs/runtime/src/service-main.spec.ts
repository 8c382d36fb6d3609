import { type MainProcess, serviceMain } from './service-main';
import { type ServiceName } from './transport-factory';

function setup(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const exits: number[] = [];
  const started: ServiceName[] = [];
  const proc: MainProcess = {
    argv: ['node', 'main.js', ...args],
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    exit: (code) => void exits.push(code),
  };
  serviceMain('cache', 'Usage: the cache service\n', proc, (service) => void started.push(service));
  return { stdout: out.join(''), stderr: err.join(''), exits, started };
}

describe(serviceMain.name, () => {
  it.each(['--help', '-h'])('prints the usage on %s and exits 0 without starting the service', (flag) => {
    const run = setup(flag);
    expect(run.stdout).toBe('Usage: the cache service\n');
    expect(run.exits).toEqual([0]);
    expect(run.started).toEqual([]);
  });

  it('refuses any other argument with exit code 2, naming it, without starting the service', () => {
    const run = setup('--port=9');
    expect(run.stderr).toContain('unknown argument: --port=9');
    expect(run.stderr).toContain('Usage: the cache service');
    expect(run.exits).toEqual([2]);
    expect(run.started).toEqual([]);
  });

  it('starts the named service when there are no arguments', () => {
    const run = setup();
    expect(run.started).toEqual(['cache']);
    expect(run.exits).toEqual([]);
  });
});
