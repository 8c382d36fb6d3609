import { readFileSync } from 'node:fs';

/** A frame to attribute time to: a function name in a file whose URL ends with `file`. */
export interface FrameMatcher {
  readonly label: string;
  readonly functionName: string;
  readonly file: string;
}

export interface FrameShares {
  /** Busy (non-idle) time sampled in the window, µs. */
  readonly busyUs: number;
  /** Inclusive time per matcher label, µs (a sample counts once per label, however deep the recursion). */
  readonly inclusiveUs: Readonly<Record<string, number>>;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/**
 * Inclusive time of chosen frames in a V8 CPU profile (`node --cpu-prof`), over its last `lastSeconds`: what share
 * of a process's busy time went through, say, `MemoryVectorIndex.search`. Every sample weighs the same (the profile's
 * mean interval), which reads CPU time where other processes share the cores (see `cpu-profile-summary.ts`).
 */
export function frameShares(path: string, matchers: readonly FrameMatcher[], lastSeconds: number): FrameShares {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const span = profile.timeDeltas.reduce((a, dt) => a + dt, 0);
  const meanUs = span / Math.max(1, profile.samples.length);
  const fromUs = span - lastSeconds * 1e6;
  // Which labels each node's stack passes through, computed once per node.
  const labelsOf = new Map<number, string[]>();
  const labels = (id: number): string[] => {
    let found = labelsOf.get(id);
    if (found) return found;
    const set = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) continue;
      for (const m of matchers)
        if (frame.functionName === m.functionName && frame.url.endsWith(m.file)) set.add(m.label);
    }
    found = [...set];
    labelsOf.set(id, found);
    return found;
  };
  let busyUs = 0;
  const inclusiveUs: Record<string, number> = Object.fromEntries(matchers.map((m) => [m.label, 0]));
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs) return;
    const name = byId.get(id)?.callFrame.functionName;
    if (name === '(idle)') return;
    busyUs += meanUs;
    for (const label of labels(id)) inclusiveUs[label] = (inclusiveUs[label] ?? 0) + meanUs;
  });
  return { busyUs, inclusiveUs };
}
