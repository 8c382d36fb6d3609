import { runCli } from './cli';
import { type CliDeps } from './command-context';
import { ExitCode } from './exit-codes';

/** The CLI in-process with captured output; no command here reaches a server. */
function setup(env: Partial<CliDeps['env']> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let served = 0;
  const deps: CliDeps = {
    io: { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } },
    env: { url: undefined, key: undefined, upstreamKey: undefined, ...env },
    serve: () => void served++,
  };
  return {
    run: (...args: string[]) => runCli(['node', 'strata', ...args], deps),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
    served: () => served,
  };
}

describe(runCli.name, () => {
  it.each([
    '',
    'serve',
    'stats',
    'lookup',
    'entries',
    'entries ls',
    'entries get',
    'entries rm',
    'purge',
    'publish',
    'warm',
    'export',
    'import',
    'calibrate',
  ])('prints help for "strata %s" and exits 0', async (command) => {
    const args = command === '' ? [] : command.split(' ');
    const sut = setup();
    expect(await sut.run(...args, '--help')).toBe(ExitCode.Ok);
    expect(sut.stdout()).toContain(`Usage: strata${command === '' ? '' : ` ${command}`}`);
  });

  it('answers --help on every command and subcommand it lists, without serving or calling a server', async () => {
    const commandsIn = (help: string) =>
      (help.split('Commands:\n')[1] ?? '')
        .split('\n\n')[0]
        .split('\n')
        .map((line) => /^ {2}([^\s|]+)/.exec(line)?.[1] ?? '') // wrapped descriptions are indented further; "ls|list": ls
        .filter((name) => name !== '' && name !== 'help');
    const visited: string[] = [];
    const visit = async (path: string[]) => {
      const sut = setup();
      expect(await sut.run(...path, '--help')).toBe(ExitCode.Ok);
      expect(sut.stdout()).toContain(`Usage: ${['strata', ...path].join(' ')}`);
      expect(sut.served()).toBe(0);
      visited.push(path.join(' '));
      for (const child of commandsIn(sut.stdout())) await visit([...path, child]);
    };
    await visit([]);
    expect(visited).toEqual(expect.arrayContaining(['serve', 'warm', 'entries ls', 'entries rm', 'calibrate']));
    expect(visited.length).toBeGreaterThanOrEqual(14);
  });

  it('lists the exit codes in the main help', async () => {
    const sut = setup();
    await sut.run('--help');
    expect(sut.stdout()).toContain('3 server unreachable');
  });

  it('never prints a key in help, even one from the environment', async () => {
    const sut = setup({ key: 'secret-key', upstreamKey: 'secret-upstream' });
    await sut.run('--help');
    await sut.run('warm', '--help');
    expect(sut.stdout()).not.toContain('secret');
  });

  it.each([
    [['bogus'], 'unknown command'],
    [['stats', '--nope'], 'unknown option'],
    [['warm'], "required option '-f, --from <file>' not specified"],
    [['purge'], 'give "tags", "namespace", "semantic" or "user"'],
    [['purge', '--tag', 'a', '--like', 'text'], '"semantic" cannot be combined with "tags"'],
    [['lookup', 'question'], 'model'],
    [['lookup', '--threshold', '2', '-m', 'm', 'q'], 'expected a number between 0 and 1'],
    [['lookup', '--mode', 'fuzzy', '-m', 'm', 'q'], 'Allowed choices are exact, semantic, auto'],
    [['entries', 'get', 'not-a-uuid'], 'entry id: Invalid uuid'],
    [['entries', 'ls', '--sort', 'best'], 'Allowed choices are hits, recent'],
    [['import'], "required option '-f, --from <file>' not specified"],
    [['import', '--from', '/nonexistent/entries.jsonl'], 'cannot read /nonexistent/entries.jsonl'],
    [['import', '--from', 'x.jsonl', '--batch', '500'], '--batch: at most 100'],
    [['publish'], 'give "tags", "namespace", "entryIds", "semantic" or "user"'],
    [['publish', '--tenant', 'acme', '--tag', 'a'], '--tenant needs --kafka'],
    [['warm', '--from', '/nonexistent/queries.jsonl'], 'cannot read /nonexistent/queries.jsonl'],
    [['warm', '--from', 'q.jsonl', '--rate', 'fast'], 'expected a rate like 10/s'],
    [['--url', 'ftp://host', 'stats'], 'use http:// or https://'],
  ])('exits 2 on %j, saying why', async (args, why) => {
    const sut = setup();
    expect(await sut.run(...args)).toBe(ExitCode.Usage);
    expect(sut.stderr()).toContain(why);
  });

  it('reports a usage error as JSON with --json', async () => {
    const sut = setup();
    expect(await sut.run('--json', 'entries', 'rm', 'nope')).toBe(ExitCode.Usage);
    expect(JSON.parse(sut.stderr())).toEqual({ error: { code: 'usage', message: 'entry id: Invalid uuid' } });
    expect(sut.stdout()).toBe('');
  });

  it('serve hands the process to the server', async () => {
    const sut = setup();
    expect(await sut.run('serve')).toBeUndefined();
    expect(sut.served()).toBe(1);
  });
});
