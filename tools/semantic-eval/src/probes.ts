import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TextVectors } from './text-vectors';
import { type SemanticVerifier } from '@strata/semantic';

/** One hand-written probe: would serving `textA`'s answer to `textB` be right (label 1) or wrong (0)? */
interface Probe {
  readonly kind: string;
  readonly split: 'tune' | 'held-out';
  readonly textA: string;
  readonly textB: string;
  readonly label: 0 | 1;
}

const PROBE_DIR = join(__dirname, '..', 'probes');

/**
 * The committed probe sets (LLM-traffic-like near misses and rewordings: code, operators, directions,
 * antonyms, units, dates, names, other languages, long prompts). `tune.jsonl` was looked at while building
 * the verifier; `held-out.jsonl` was written at the same time and only ever measured.
 */
function readProbes(dir: string = PROBE_DIR): Probe[] {
  const probes: Probe[] = [];
  for (const split of ['tune', 'held-out'] as const) {
    for (const line of readFileSync(join(dir, `${split}.jsonl`), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const raw = JSON.parse(line) as { kind: string; text_a: string; text_b: string; label: 0 | 1 };
      probes.push({ kind: raw.kind, split, textA: raw.text_a, textB: raw.text_b, label: raw.label });
    }
  }
  return [...probes, ...longPromptProbes()];
}

/** A ~300-word prompt and variants: reformatted (a hit), one name or number changed (a miss). */
function longPromptProbes(): Probe[] {
  const sentence = (i: number): string =>
    `Paragraph ${i}: the quarterly report of Northwind Traders describes revenue in the retail segment, ` +
    `the logistics costs of the warehouse network and the hiring plan for the support team.`;
  const base = `Summarise the following report for the board.\n\n${Array.from({ length: 12 }, (_, i) => sentence(i + 1)).join('\n')}`;
  const probes: Probe[] = [];
  const add = (split: Probe['split'], textB: string, label: 0 | 1, kind = 'long-prompt'): void => {
    probes.push({ kind, split, textA: base, textB, label });
  };
  add('tune', base, 1);
  add('tune', base.replace(/\n/g, '\n\n').replace(/, /g, ' , '), 1);
  add(
    'tune',
    base.replace('Northwind Traders describes revenue in the retail', 'Contoso describes revenue in the retail'),
    0,
  );
  add('held-out', base.replace(/ the /g, ' a '), 1);
  add('held-out', base.replace('Paragraph 7', 'Paragraph 8'), 0);
  add(
    'held-out',
    base.replace('hiring plan for the support team.\nParagraph 9', 'firing plan for the support team.\nParagraph 9'),
    0,
  );
  add('held-out', `${base} Answer in French.`, 0);
  return probes;
}

interface ProbeResult extends Probe {
  readonly cosine: number;
  readonly similarity: number;
  readonly reason: string;
  readonly hit: boolean;
}

/** Every text of the probe sets (to embed them before scoring). */
export function probeTexts(): string[] {
  return readProbes().flatMap((p) => [p.textA, p.textB]);
}

function scoreProbes(
  probes: readonly Probe[],
  verifier: SemanticVerifier,
  encoder: TextVectors,
  threshold: number,
  minCosine: number,
): ProbeResult[] {
  return probes.map((p) => {
    const cosine = dot(encoder.vector(p.textA), encoder.vector(p.textB));
    const verdict = verifier.explain(p.textB, p.textA, cosine, threshold);
    const hit = (cosine >= minCosine || verdict.similarity >= 1) && verdict.accepted;
    return { ...p, cosine, similarity: verdict.similarity, reason: verdict.reason, hit };
  });
}

export function runProbes(
  print: (line?: string) => void,
  verifier: SemanticVerifier,
  encoder: TextVectors,
  threshold: number,
  minCosine: number,
): void {
  const results = scoreProbes(readProbes(), verifier, encoder, threshold, minCosine);
  print(`## Probe sets (tools/semantic-eval/probes, default threshold ${threshold})`);
  print();
  print('| kind | split | rewordings hit | near misses wrongly hit |');
  print('|---|---|---|---|');
  const keys = [...new Set(results.map((r) => `${r.kind}\t${r.split}`))].sort();
  for (const key of keys) {
    const [kind, split] = key.split('\t');
    const rows = results.filter((r) => r.kind === kind && r.split === split);
    const pos = rows.filter((r) => r.label === 1);
    const neg = rows.filter((r) => r.label === 0);
    print(
      `| ${kind} | ${split} | ${pos.length === 0 ? '—' : `${pos.filter((r) => r.hit).length} / ${pos.length}`} | ${neg.length === 0 ? '—' : `${neg.filter((r) => r.hit).length} / ${neg.length}`} |`,
    );
  }
  const wrong = results.filter((r) => r.label === 0 && r.hit);
  print();
  print(
    wrong.length === 0
      ? 'No probe near miss was served.'
      : `Wrong hits: ${wrong.map((r) => JSON.stringify(r.textB)).join('; ')}`,
  );
}

function dot(x: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < x.length; d++) sum += x[d] * y[d];
  return sum;
}
