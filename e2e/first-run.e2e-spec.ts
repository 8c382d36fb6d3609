import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { type StrataProcess, startStrataProcess } from './support/strata-process';

const ROOT = join(__dirname, '..');
const GATEWAY = 'dist/apps/gateway/src/main.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

/** The lines a newcomer reads after `npm start`, and the commands it tells them to run. */
describe('first run (end to end)', () => {
  it('--help and -h print the usage with the main variables and exit 0 without starting', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run(process.execPath, [GATEWAY, flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: npm start');
      for (const name of ['PORT', 'UPSTREAM_URL', 'STRATA_API_KEYS', 'REDIS_URL', 'STRATA_LOG_FORMAT'])
        expect(result.stdout).toContain(name);
      expect(result.stdout).not.toContain('listening on');
    }
  });

  it('refuses an unknown argument with exit code 2 and the usage', async () => {
    const result = await run(process.execPath, [GATEWAY, '--port=9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown argument: --port=9');
    expect(result.stderr).toContain('Usage: npm start');
  });

  describe('the readable format (a terminal, or STRATA_LOG_FORMAT=pretty)', () => {
    let strata: StrataProcess;
    beforeAll(async () => {
      strata = await startStrataProcess(GATEWAY, { STRATA_LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' });
    });
    afterAll(async () => {
      expect(await strata.stop()).toBe(0);
    });

    it('prints a banner with the address really bound, the stores and that no upstream is configured', () => {
      const output = strata.output();
      expect(strata.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(strata.url).not.toMatch(/:0$/);
      expect(output).toContain(`Strata (embedded) listening on ${strata.url}`);
      expect(output).toContain('L2 in-memory');
      expect(output).toContain('upstream   none configured');
      expect(output).toContain('502 upstream_error');
    });

    it('leaves out NestJS start-up chatter (one line per route)', () => {
      expect(strata.output()).not.toMatch(/Mapped \{/);
      expect(strata.output()).not.toMatch(/dependencies initialized/);
    });

    it('suggests commands that work as printed: the store, then the lookup answers a hit', async () => {
      const curls = strata
        .output()
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line.startsWith('curl '));
      expect(curls).toHaveLength(2);
      const [store, lookup] = curls as [string, string];
      expect(store).toContain(`${strata.url}/v1/cache/entries`);
      const stored = await run('sh', ['-c', store]);
      expect(stored.code).toBe(0);
      expect(JSON.parse(stored.stdout)).toMatchObject({ id: expect.any(String) });
      const looked = await run('sh', ['-c', lookup]);
      expect(JSON.parse(looked.stdout)).toMatchObject({ hit: true, response: { answer: '30 days' } });
    });
  });

  describe('JSON lines (not a terminal, the default for machines)', () => {
    let strata: StrataProcess;
    beforeAll(async () => {
      strata = await startStrataProcess(GATEWAY, { LOG_LEVEL: 'info' });
    });
    afterAll(async () => {
      expect(await strata.stop()).toBe(0);
    });

    it('writes every log line as JSON, beside the one listening line', () => {
      const lines = strata
        .output()
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('Strata (embedded) listening on'));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(lines.some((line) => (JSON.parse(line) as { context?: string }).context === 'RouterExplorer')).toBe(true);
    });
  });
});
