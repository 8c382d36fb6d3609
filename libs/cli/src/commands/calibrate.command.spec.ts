import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateCalibrateScript } from '../calibrate/calibrate-tool';
import { runCli } from '../cli';
import { type CliDeps } from '../command-context';
import { UsageError } from '../errors';
import { ExitCode } from '../exit-codes';
import { calibrateCommand } from './calibrate.command';

/** `strata calibrate` runs the real tool (tools/semantic-calibrate) in a child process; every case here fails before any embedding. */
function setup() {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    io: { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } },
    env: { url: undefined, key: undefined, upstreamKey: undefined },
    serve: () => undefined,
  };
  return {
    run: (...args: string[]) => runCli(['node', 'strata', 'calibrate', ...args], deps),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

describe(calibrateCommand.name, () => {
  let dir: string;
  let pairs: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-calibrate-'));
    pairs = join(dir, 'pairs.jsonl');
    writeFileSync(pairs, `${JSON.stringify({ text_a: 'how old are you', text_b: 'what is your age', label: 1 })}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits with the tool's usage code and its message when a pairs file is missing", async () => {
    const sut = setup();
    const missing = join(dir, 'missing.jsonl');
    expect(await sut.run('--pairs', missing)).toBe(ExitCode.Usage);
    expect(sut.stderr()).toContain(`calibrate: ${missing} not found`);
  });

  it('passes every --pairs file to the tool, in order', async () => {
    const sut = setup();
    const second = join(dir, 'second, with a comma.jsonl');
    expect(await sut.run('--pairs', pairs, '--pairs', second)).toBe(ExitCode.Usage);
    expect(sut.stderr()).toContain(`calibrate: ${second} not found`);
  });

  it('passes --target to the tool, which refuses a rate outside 0..1', async () => {
    const sut = setup();
    expect(await sut.run('--pairs', pairs, '--target', '5')).toBe(ExitCode.Usage);
    expect(sut.stderr()).toContain('--target is a wrong-hit rate between 0 and 1');
  });

  it('lets the tool say that pairs are required', async () => {
    const sut = setup();
    expect(await sut.run()).toBe(ExitCode.Usage);
    expect(sut.stderr()).toContain('give at least one --pairs');
  });

  it('refuses an option the tool does not have, before running it', async () => {
    const sut = setup();
    expect(await sut.run('--pairs', pairs, '--model', 'x')).toBe(ExitCode.Usage);
    expect(sut.stderr()).toContain("unknown option '--model'");
  });

  it('finds the tool from the package root, and says so when there is no source checkout', () => {
    expect(locateCalibrateScript()).toBe(
      join(__dirname, '..', '..', '..', '..', 'tools', 'semantic-calibrate', 'run.js'),
    );
    expect(() => locateCalibrateScript(tmpdir())).toThrow(UsageError);
  });
});
