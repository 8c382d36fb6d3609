/**
 * A text summary of a V8 CPU profile (`node --cpu-prof`): self time by function and by where the code lives
 * (a package, a Strata lib, Node itself), and inclusive time of chosen frames — a flame graph in a table.
 *
 * Usage: node dist/bench/support/cpu-profile-summary.js <file.cpuprofile> [--top 30] [--inclusive name,name]
 *          [--last S] (only the last S seconds of the profile: the load phase, without start-up)
 *          [--weight time|samples] (default time: each sample weighs the wall time since the one before; samples: each
 *          weighs the same, which reads CPU time where other processes take the cores — a sample taken after the thread
 *          waited for a core otherwise carries the whole wait, and inflates whatever ran first after it)
 */
import { readFileSync } from 'node:fs';
import { argument, listArgument, numberArgument } from './args';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code lives: `pkg:<name>`, `lib:<strata lib>`, `node`, or the V8 pseudo-frame. */
function area(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'anonymous'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return `pkg:${pkg[1]}`;
  const lib = /dist\/(libs|apps|bench)\/([^/]+)/.exec(url);
  if (lib?.[2]) return `${lib[1] === 'libs' ? 'lib' : lib[1]}:${lib[2]}`;
  if (url.startsWith('node:')) return 'node';
  return url;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-1)[0] ?? '';
  return url === '' ? `(${functionName})` : `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function main(): void {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: cpu-profile-summary <file.cpuprofile> [--top N]');
  const top = numberArgument('top', 30);
  const inclusiveNames = listArgument('inclusive', []);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  let total = 0;
  const span = profile.timeDeltas.reduce((a, dt) => a + dt, 0);
  const fromUs = span - numberArgument('last', Infinity) * 1e6;
  let at = 0;
  const bySamples = argument('weight') === 'samples';
  const meanUs = span / Math.max(1, profile.samples.length);
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < fromUs) return;
    const weight = bySamples ? meanUs : dt;
    selfUs.set(id, (selfUs.get(id) ?? 0) + weight);
    total += weight;
  });
  const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
  const idleUs = idle.reduce((a, [, us]) => a + us, 0);
  const busy = total - idleUs;

  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    add(byFunction, `${label(node)}  [${area(node.callFrame.url, node.callFrame.functionName)}]`, us);
    add(byArea, area(node.callFrame.url, node.callFrame.functionName), us);
    if (inclusiveNames.length > 0) {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const name = byId.get(at)?.callFrame.functionName ?? '';
        if (inclusiveNames.includes(name) && !seen.has(name)) {
          seen.add(name);
          add(inclusive, name, us);
        }
      }
    }
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const print = (title: string, map: Map<string, number>, n: number) => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n))
      process.stdout.write(`${pct(us)}  ${key}\n`);
  };
  process.stdout.write(
    `${argument('title') ?? file}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s sampled (shares below are of busy time)\n`,
  );
  print('self time by area', byArea, 20);
  print('self time by function', byFunction, top);
  if (inclusiveNames.length > 0) print('inclusive time', inclusive, inclusiveNames.length);
}

main();
