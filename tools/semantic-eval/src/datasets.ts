import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sentenceGroups } from '@strata/semantic';

/** One labelled pair of /work/shared/data (see its README): label 1 = same meaning. */
export interface LabelledPair {
  readonly dataset: string;
  /** Row number within its file (0-based). */
  readonly row: number;
  /**
   * Tuning or held out, by sentence group: pairs that share a sentence (directly or through other pairs)
   * are on the same side, so no held-out sentence was seen while tuning.
   */
  readonly split: 'tune' | 'held-out';
  readonly textA: string;
  readonly textB: string;
  readonly label: 0 | 1;
}

type Split = 'tune' | 'held-out' | 'all';

/** Pair-classification sets; the hard negatives the default threshold is chosen on come first. */
export const PAIR_DATASETS = ['paws_wiki_dev', 'qqp_dev', 'mrpc_train', 'stsb_train'] as const;
export const REPLAY_DATASET = 'gptcache_mock_data';

interface RawRow {
  text_a?: unknown;
  text_b?: unknown;
  label?: unknown;
}

/** Reads `<dir>/<name>.jsonl`, skipping rows without a 0/1 label (STS-B's middle scores). */
export function readPairs(dir: string, name: string): LabelledPair[] {
  const path = join(dir, `${name}.jsonl`);
  if (!existsSync(path)) {
    throw new MissingDataError(
      `${path} not found. The labelled pairs live outside the repo (see ../shared/data/README.md); ` +
        'pass --data <dir> pointing at a folder with paws_wiki_dev.jsonl, qqp_dev.jsonl, mrpc_train.jsonl, ' +
        'stsb_train.jsonl and gptcache_mock_data.jsonl.',
    );
  }
  const lines = readFileSync(path, 'utf8').split('\n');
  const rows: Omit<LabelledPair, 'split'>[] = [];
  lines.forEach((line, row) => {
    if (line.trim() === '') return;
    const raw = JSON.parse(line) as RawRow;
    if (typeof raw.text_a !== 'string' || typeof raw.text_b !== 'string') return;
    if (raw.label !== 0 && raw.label !== 1) return;
    rows.push({ dataset: name, row, textA: raw.text_a, textB: raw.text_b, label: raw.label });
  });
  const groups = sentenceGroups(rows.map((p) => [p.textA, p.textB]));
  return rows.map((p, i) => ({ ...p, split: groups[i] % 2 === 0 ? 'tune' : 'held-out' }));
}

/** The data folder or one of its files is missing: a message for the user, not a stack trace. */
export class MissingDataError extends Error {}

export function inSplit(pair: LabelledPair, split: Split): boolean {
  return split === 'all' || pair.split === split;
}
