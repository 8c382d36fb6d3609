import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args],
      // A distributed service started by mistake would wait for Kafka: the timeout would end the test, not hang it.
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', STRATA_MODE: 'distributed', PORT: '0' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

/** Every entry point answers --help without starting anything (the gateway's own: first-run.e2e-spec.ts). */
describe('--help on every entry point (end to end)', () => {
  it.each(['cache', 'embedding', 'invalidation'])(
    'the %s service prints its usage and exits 0 without starting',
    async (service) => {
      for (const flag of ['--help', '-h']) {
        const result = await run([`dist/apps/${service}/src/main.js`, flag]);
        expect(result.code).toBe(0);
        expect(result.stdout).toContain(`Usage: node dist/apps/${service}/src/main.js`);
        for (const name of ['STRATA_MODE', 'KAFKA_BROKERS', 'HEALTH_PORT']) expect(result.stdout).toContain(name);
        expect(result.stderr).toBe('');
      }
    },
  );

  it('a service refuses an unknown argument with exit code 2 and its usage', async () => {
    const result = await run(['dist/apps/cache/src/main.js', '--brokers=x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown argument: --brokers=x');
    expect(result.stderr).toContain('Usage: node dist/apps/cache/src/main.js');
  });

  it.each(['', 'serve', 'warm', 'entries ls', 'purge'])(
    '"strata %s --help" prints its usage and exits 0 without starting a server',
    async (command) => {
      const args = command === '' ? [] : command.split(' ');
      const result = await run(['apps/cli/bin/strata.js', ...args, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: ${['strata', ...args].join(' ')}`);
      expect(result.stdout).not.toContain('listening on');
    },
  );
});
