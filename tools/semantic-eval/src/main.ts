import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_WORDS, LocalEmbeddingProvider, loadWordVectors, tokenize } from '@strata/embedding';
import {
  CALIBRATION,
  type Calibration,
  DEFAULT_SIMILARITY_THRESHOLD,
  FEATURES,
  FEATURE_NAMES,
  type MatchFeatures,
  SemanticVerifier,
  calibratedSimilarity,
} from '@strata/semantic';
import {
  HARD_NEGATIVE_DATASETS,
  type LabelledPair,
  PAIR_DATASETS,
  REPLAY_DATASET,
  inSplit,
  readPairs,
} from './datasets';
import { type Example, fitSignConstrained } from './logistic';
import { type Scored, lowestSafeThreshold, pairMetrics, percent, thresholdGrid } from './metrics';
import { replay } from './replay';

/**
 * Measures the local model and the verifier on /work/shared/data (never copied into the repo):
 * pair classification per dataset and threshold, a GPTCache-style cache replay, and the threshold that keeps
 * wrong hits on the hard negatives ≤ 2%. Thresholds are chosen on the even rows, numbers reported on the odd.
 * `--fit` refits the calibration (libs/semantic/src/calibration.ts) on the even rows and prints it.
 */
const MAX_WRONG_HIT_RATE = 0.02;
const CANDIDATES = 5;

interface ScoredPair extends LabelledPair {
  readonly cosine: number;
  readonly similarity: number;
  readonly features: MatchFeatures | undefined;
  readonly reason: string;
}

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..', '..');
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: join(root, '..', 'shared', 'data') },
      out: { type: 'string' },
      fit: { type: 'boolean', default: false },
      'max-words': { type: 'string', default: String(DEFAULT_MAX_WORDS) },
    },
  });
  const dataDir = resolve(values.data);
  const maxWords = Number(values['max-words']);
  const started = performance.now();
  const out: string[] = [];
  const print = (line = ''): void => {
    out.push(line);
    console.log(line);
  };

  const rssBefore = process.memoryUsage().rss;
  const loadStarted = performance.now();
  const vectors = await loadWordVectors({ maxWords });
  const provider = await LocalEmbeddingProvider.load({ maxWords });
  const verifier = await SemanticVerifier.load({ maxWords });
  const loadMs = performance.now() - loadStarted;
  const rssAfter = process.memoryUsage().rss;

  const datasets = new Map<string, ScoredPair[]>();
  const scoreStarted = performance.now();
  let verified = 0;
  let verifyMs = 0;
  for (const name of PAIR_DATASETS) {
    const scored: ScoredPair[] = [];
    for (const pair of readPairs(dataDir, name)) {
      const cosine = dot(provider.embedOne(pair.textA), provider.embedOne(pair.textB));
      const t = performance.now();
      const { similarity, features, reason } = verifier.explain(pair.textA, pair.textB, cosine, 2);
      verifyMs += performance.now() - t;
      verified++;
      scored.push({ ...pair, cosine, similarity, features, reason });
    }
    datasets.set(name, scored);
  }
  const scoreMs = performance.now() - scoreStarted;

  let calibration: Calibration = CALIBRATION;
  if (values.fit) {
    calibration = fit(
      [...datasets.values()].flat().filter((p) => inSplit(p, 'tune') && HARD_NEGATIVE_DATASETS.includes(p.dataset)),
    );
    print('## Fitted calibration (paste into libs/semantic/src/calibration.ts)');
    print('```ts');
    print(`intercept: ${calibration.intercept.toFixed(4)},`);
    for (const name of FEATURE_NAMES) print(`${name}: ${calibration.weights[name].toFixed(4)},`);
    print('```');
    for (const [name, pairs] of datasets) {
      datasets.set(
        name,
        pairs.map((p) =>
          p.features === undefined ? p : { ...p, similarity: calibratedSimilarity(p.features, calibration) },
        ),
      );
    }
  }

  const split = (name: string, s: 'tune' | 'held-out', by: 'similarity' | 'cosine'): Scored[] =>
    (datasets.get(name) ?? []).filter((p) => inSplit(p, s)).map((p) => ({ label: p.label, score: p[by] }));

  const verifierGrid = thresholdGrid(0.5, 0.995, 0.005);
  const cosineGrid = thresholdGrid(0.5, 0.999, 0.001);
  const hardTune = (by: 'similarity' | 'cosine'): Scored[][] => HARD_NEGATIVE_DATASETS.map((n) => split(n, 'tune', by));
  const safeVerifier = lowestSafeThreshold(hardTune('similarity'), verifierGrid, MAX_WRONG_HIT_RATE);
  // Cosine alone never gets PAWS under the limit (its negatives contain the same words): QQP decides.
  const safeCosine = lowestSafeThreshold([split('qqp_dev', 'tune', 'cosine')], cosineGrid, MAX_WRONG_HIT_RATE);
  const safeCosineAll = lowestSafeThreshold(hardTune('cosine'), cosineGrid, MAX_WRONG_HIT_RATE);
  const threshold = values.fit ? (safeVerifier ?? DEFAULT_SIMILARITY_THRESHOLD) : DEFAULT_SIMILARITY_THRESHOLD;

  print('## Model');
  print();
  print(`- vocabulary kept: ${vectors.size} words (\`maxWords\` ${maxWords}), ${vectors.dimensions} dimensions, int8`);
  print(
    `- load (cached compact file, vectors + encoder + verifier): ${loadMs.toFixed(0)} ms; RSS +${mb(rssAfter - rssBefore)} MB`,
  );
  print(`- token coverage (words, not numbers): ${coverageTable(datasets, (w) => vectors.id(w) >= 0)}`);
  print(
    `- scored ${verified} pairs in ${(scoreMs / 1000).toFixed(1)} s; verify() alone: ${((1000 * verifyMs) / verified).toFixed(1)} µs/pair`,
  );
  print();
  print(`## Thresholds chosen on the tuning rows (wrong-hit rate ≤ ${percent(MAX_WRONG_HIT_RATE)} on PAWS and QQP)`);
  print();
  print(
    `- verifier similarity: lowest safe ${fmt(safeVerifier)}; DEFAULT_SIMILARITY_THRESHOLD = ${DEFAULT_SIMILARITY_THRESHOLD}`,
  );
  print(`- cosine only (no verification): ${fmt(safeCosineAll)} on PAWS and QQP; ${fmt(safeCosine)} on QQP alone`);
  print();
  print(`## Held-out pairs: verifier at ${threshold} vs cosine only at ${fmt(safeCosine)}`);
  print();
  print('| dataset | pos / neg | verifier P | R | F1 | wrong hits | cosine-only P | R | F1 | wrong hits |');
  print('|---|---|---|---|---|---|---|---|---|---|');
  for (const name of PAIR_DATASETS) {
    const v = pairMetrics(split(name, 'held-out', 'similarity'), threshold);
    const c = pairMetrics(split(name, 'held-out', 'cosine'), safeCosine ?? 1);
    print(
      `| ${name} | ${v.positives} / ${v.negatives} | ${percent(v.precision)} | ${percent(v.recall)} | ${percent(v.f1)} | ${percent(v.wrongHitRate)} ` +
        `| ${percent(c.precision)} | ${percent(c.recall)} | ${percent(c.f1)} | ${percent(c.wrongHitRate)} |`,
    );
  }
  print();
  print('## Held-out sweep: verifier similarity (P / R / wrong hits)');
  print();
  sweep(print, [0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99], (name) => split(name, 'held-out', 'similarity'));
  print();
  print('## Held-out sweep: cosine only (P / R / wrong hits)');
  print();
  sweep(print, [0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99], (name) => split(name, 'held-out', 'cosine'));
  print();
  print('## Guard and reason counts (all rows; label 1 = same meaning)');
  print();
  print('| dataset | reason | label 1 | label 0 |');
  print('|---|---|---|---|');
  for (const [name, pairs] of datasets) {
    const counts = new Map<string, [number, number]>();
    for (const p of pairs) {
      const reason = p.features === undefined ? p.reason : p.similarity >= threshold ? 'match' : p.reason;
      const c = counts.get(reason) ?? [0, 0];
      c[p.label === 1 ? 0 : 1]++;
      counts.set(reason, c);
    }
    for (const [reason, [pos, neg]] of [...counts].sort()) print(`| ${name} | ${reason} | ${pos} | ${neg} |`);
  }
  print();

  const mock = readPairs(dataDir, REPLAY_DATASET);
  print(
    `## Cache replay: ${REPLAY_DATASET} (insert ${mock.length} text_a, look up every text_b, top ${CANDIDATES} candidates)`,
  );
  print();
  print('| method | threshold | correct | wrong | miss |');
  print('|---|---|---|---|---|');
  const replayStarted = performance.now();
  const replayed = replay(mock, provider, verifier, calibration, CANDIDATES);
  for (const t of [...new Set([threshold, 0.9, 0.8])]) {
    const r = replayed.verifier(t);
    print(`| verifier | ${t} | ${r.correct} | ${r.wrong} | ${r.miss} |`);
  }
  for (const t of [safeCosine ?? 1, 0.95, 0.9, 0.8]) {
    const r = replayed.cosine(t);
    print(`| cosine only (top 1) | ${t} | ${r.correct} | ${r.wrong} | ${r.miss} |`);
  }
  print(
    `| GPTCache published (ONNX + its evaluation) | 0.95 / 0.9 / 0.8 | 425 / 804 / 904 | 25 / 77 / 92 | 549 / 118 / 3 |`,
  );
  print();
  print(
    `Total run: ${((performance.now() - started) / 1000).toFixed(1)} s (replay ${((performance.now() - replayStarted) / 1000).toFixed(1)} s).`,
  );
  if (values.out !== undefined) writeFileSync(values.out, `${out.join('\n')}\n`);
}

function fit(pairs: readonly ScoredPair[]): Calibration {
  const usable = pairs.filter((p): p is ScoredPair & { features: MatchFeatures } => p.features !== undefined);
  const cells = new Map<string, number>();
  for (const p of usable) cells.set(`${p.dataset}:${p.label}`, (cells.get(`${p.dataset}:${p.label}`) ?? 0) + 1);
  const examples: Example[] = usable.map((p) => ({
    x: FEATURE_NAMES.map((name) => p.features[name]),
    y: p.label,
    weight: 1 / (cells.get(`${p.dataset}:${p.label}`) ?? 1),
  }));
  const [intercept, ...weights] = fitSignConstrained(
    examples,
    FEATURES.map((f) => f.direction),
  );
  return {
    intercept: intercept ?? 0,
    weights: Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, weights[i] ?? 0])) as Calibration['weights'],
  };
}

function sweep(print: (line: string) => void, thresholds: readonly number[], scored: (name: string) => Scored[]): void {
  print(`| dataset | ${thresholds.join(' | ')} |`);
  print(`|---|${thresholds.map(() => '---').join('|')}|`);
  for (const name of PAIR_DATASETS) {
    const set = scored(name);
    const cells = thresholds.map((t) => {
      const m = pairMetrics(set, t);
      return `${percent(m.precision)} / ${percent(m.recall)} / ${percent(m.wrongHitRate)}`;
    });
    print(`| ${name} | ${cells.join(' | ')} |`);
  }
}

function coverageTable(
  datasets: ReadonlyMap<string, readonly LabelledPair[]>,
  known: (word: string) => boolean,
): string {
  const parts: string[] = [];
  for (const [name, pairs] of datasets) {
    let total = 0;
    let hits = 0;
    for (const p of pairs) {
      for (const token of [...tokenize(p.textA), ...tokenize(p.textB)]) {
        if (/^\d/.test(token)) continue;
        total++;
        if (known(token)) hits++;
      }
    }
    parts.push(`${name} ${percent(hits / total)}`);
  }
  return parts.join(', ');
}

function dot(x: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < x.length; d++) sum += x[d] * y[d];
  return sum;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
const fmt = (t: number | undefined): string => (t === undefined ? 'none on the grid' : String(t));

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
