import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One labelled pair of /work/shared/data (see its README): label 1 = same meaning. */
export interface LabelledPair {
  readonly dataset: string;
  /** Row number within its file (0-based): even rows tune, odd rows are held out. */
  readonly row: number;
  readonly textA: string;
  readonly textB: string;
  readonly label: 0 | 1;
}

export type Split = 'tune' | 'held-out' | 'all';

/** Pair-classification sets; the hard negatives the default threshold is chosen on come first. */
export const PAIR_DATASETS = ['paws_wiki_dev', 'qqp_dev', 'mrpc_train', 'stsb_train'] as const;
export const HARD_NEGATIVE_DATASETS: readonly string[] = ['paws_wiki_dev', 'qqp_dev'];
export const REPLAY_DATASET = 'gptcache_mock_data';

interface RawRow {
  text_a?: unknown;
  text_b?: unknown;
  label?: unknown;
}

/** Reads `<dir>/<name>.jsonl`, skipping rows without a 0/1 label (STS-B's middle scores). */
export function readPairs(dir: string, name: string): LabelledPair[] {
  const lines = readFileSync(join(dir, `${name}.jsonl`), 'utf8').split('\n');
  const pairs: LabelledPair[] = [];
  lines.forEach((line, row) => {
    if (line.trim() === '') return;
    const raw = JSON.parse(line) as RawRow;
    if (typeof raw.text_a !== 'string' || typeof raw.text_b !== 'string') return;
    if (raw.label !== 0 && raw.label !== 1) return;
    pairs.push({ dataset: name, row, textA: raw.text_a, textB: raw.text_b, label: raw.label });
  });
  return pairs;
}

export function inSplit(pair: LabelledPair, split: Split): boolean {
  if (split === 'all') return true;
  return (pair.row % 2 === 0) === (split === 'tune');
}
