import { execFileSync } from 'node:child_process';
import { type K8sObject, isK8sObject, objectRef } from '../manifest';
import { parseYamlDocuments } from './kustomize';

/** A kustomize v5 on PATH: `kustomize build` or `kubectl kustomize` (kubectl ≥ 1.27 embeds kustomize v5). */
export interface RealKustomize {
  readonly label: string;
  render(dir: string): K8sObject[];
}

function run(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch {
    return undefined;
  }
}

export function findRealKustomize(): RealKustomize | undefined {
  const make = (label: string, command: string, args: (dir: string) => string[]): RealKustomize => ({
    label,
    render(dir) {
      const text = execFileSync(command, args(dir), {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 60_000,
      });
      return parseYamlDocuments(text, `${label} ${dir}`).filter(isK8sObject);
    },
  });
  const standalone = run('kustomize', ['version']);
  if (standalone && /v5\./.test(standalone))
    return make(`kustomize ${standalone.trim()}`, 'kustomize', (dir) => ['build', dir]);
  const kubectl = run('kubectl', ['version', '--client']);
  const embedded = kubectl && /Kustomize Version: (v5\.[\w.-]+)/.exec(kubectl);
  if (embedded) return make(`kubectl kustomize (kustomize ${embedded[1]})`, 'kubectl', (dir) => ['kustomize', dir]);
  return undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (
    a !== null &&
    b !== null &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    Array.isArray(a) === Array.isArray(b)
  ) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (d) return d;
    }
  }
  return `${path.slice(1) || '(root)'}: ours ${JSON.stringify(a)}, kustomize ${JSON.stringify(b)}`;
}

/** Differences between two renders of the same kustomization, object by object (order-insensitive). */
export function compareRenders(ours: readonly K8sObject[], theirs: readonly K8sObject[]): string[] {
  const out: string[] = [];
  const remaining = new Map(theirs.map((o) => [objectRef(o), o]));
  for (const object of ours) {
    const ref = objectRef(object);
    const other = remaining.get(ref);
    if (!other) {
      out.push(`${ref}: only in deploy-check's render`);
      continue;
    }
    remaining.delete(ref);
    const d = firstDifference(sortKeys(object), sortKeys(other), '');
    if (d) out.push(`${ref}: ${d}`);
  }
  for (const ref of remaining.keys()) out.push(`${ref}: only in kustomize's render`);
  return out;
}
