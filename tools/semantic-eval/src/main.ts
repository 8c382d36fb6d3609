import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SEMANTIC_MARGIN, chooseSemanticHit } from '@strata/cache-core';
import {
  DEFAULT_MAX_WORDS,
  LocalEmbeddingProvider,
  SENTENCE_ENCODER_MODEL,
  loadWordNet,
  loadWordVectors,
} from '@strata/embedding-local';
import {
  CALIBRATION,
  type Calibration,
  type FeatureName,
  FEATURES,
  FEATURE_NAMES,
  LOCAL_MIN_COSINE,
  type MatchFeatures,
  type ModelCalibration,
  SemanticVerifier,
  builtInCalibration,
  calibratedSimilarity,
} from '@strata/semantic';
import { type LabelledPair, MissingDataError, PAIR_DATASETS, REPLAY_DATASET, inSplit, readPairs } from './datasets';
import { type Example, fitSignConstrained } from '@strata/semantic';
import { type Scored, pairMetrics, percent } from './metrics';
import { probeTexts, runProbes } from './probes';
import { loadTextVectors } from './text-vectors';
import { type Lookup, type ReplayCounts, countReplay, cosinePick, replayLookups } from './replay';

/**
 * Measures the local model and the verifier on ../shared/data (never copied into the repo): pair
 * classification, cache replays (GPTCache's benchmark, and PAWS/QQP stored and looked up as a cache), the
 * committed probe sets, and the thresholds of the presets. Tuning and held-out rows are split by sentence
 * group; thresholds are chosen on tuning rows, numbers reported on held-out rows.
 * `--fit` refits the calibration (libs/semantic/src/calibration.ts) on the tuning rows and prints it.
 */
const CANDIDATES = 5;
/** Wrong hits allowed on the tuning replays' label-0 lookups, per preset. */
const PRESET_BUDGETS = { strict: 0.01, balanced: 0.02, lenient: 0.05 } as const;
const REPLAY_SETS = ['paws_wiki_dev', 'qqp_dev'] as const;

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
      model: { type: 'string', default: SENTENCE_ENCODER_MODEL },
      'min-cosine': { type: 'string' },
      features: { type: 'string' },
      dump: { type: 'string' },
    },
  });
  const model = values.model;
  const dataDir = resolve(values.data);
  const maxWords = Number(values['max-words']);
  const started = performance.now();
  const out: string[] = [];
  const print = (line = ''): void => {
    out.push(line);
    console.log(line);
  };

  const loadStarted = performance.now();
  const vectors = await loadWordVectors({ maxWords });
  const pairSets = new Map(PAIR_DATASETS.map((name) => [name, readPairs(dataDir, name)]));
  const mock = readPairs(dataDir, REPLAY_DATASET);
  const texts = [...pairSets.values(), mock].flat().flatMap((p) => [p.textA, p.textB]);
  const encoder = await loadTextVectors(model, [...texts, ...probeTexts()], join(root, 'tmp', 'semantic-eval'));
  // The verifier decides with the model's own cosine and calibration (each local model ships one); a model without
  // one yet (being fitted with --fit) starts from the GloVe model's weights, which the fit replaces.
  const own: ModelCalibration = builtInCalibration(model) ?? {
    model,
    source: 'starting point',
    calibration: CALIBRATION,
    thresholds: { strict: 1, balanced: 1, lenient: 1 },
  };
  const verifier = SemanticVerifier.create(vectors, await loadWordNet(), {
    embeddingModel: model,
    calibration: own,
  });
  const minCosine =
    values['min-cosine'] !== undefined ? Number(values['min-cosine']) : (own.minCosine ?? LOCAL_MIN_COSINE);
  const loadMs = performance.now() - loadStarted;

  const datasets = new Map<string, ScoredPair[]>();
  let verified = 0;
  let verifyMs = 0;
  for (const name of PAIR_DATASETS) {
    const scored: ScoredPair[] = [];
    for (const pair of pairSets.get(name) ?? []) {
      const cosine = dot(encoder.vector(pair.textA), encoder.vector(pair.textB));
      const t = performance.now();
      const { similarity, features, reason } = verifier.explain(pair.textB, pair.textA, cosine, 2);
      verifyMs += performance.now() - t;
      verified++;
      scored.push({ ...pair, cosine, similarity, features, reason });
    }
    datasets.set(name, scored);
  }

  let calibration: Calibration = CALIBRATION;
  if (values.fit) {
    const only = values.features?.split(',');
    calibration = fit(
      [...datasets.values()].flat().filter((p) => inSplit(p, 'tune')),
      only === undefined ? FEATURE_NAMES : FEATURE_NAMES.filter((name) => only.includes(name)),
    );
    print('## Fitted calibration (paste into libs/semantic/src/calibration.ts)');
    print('```ts');
    print(`intercept: ${calibration.intercept.toFixed(4)},`);
    for (const name of FEATURE_NAMES) print(`${name}: ${(calibration.weights[name] ?? 0).toFixed(4)},`);
    print('```');
  }
  const similarityOf = (features: MatchFeatures | undefined, stored: number): number =>
    features === undefined || !values.fit ? stored : calibratedSimilarity(features, calibration);

  // Cache replays: tuning groups choose the thresholds, held-out groups are reported.
  // With --dump, each candidate also records the local GloVe verdict's similarity (to try `localShift`s).
  const glove = values.dump === undefined ? undefined : await LocalEmbeddingProvider.load({ maxWords });
  const gloveVerifier = SemanticVerifier.create(vectors, await loadWordNet());
  const replayModel = () => ({
    embed: (text: string) => encoder.vector(text),
    explain: (query: string, candidate: string, cosine: number) => {
      const e = verifier.explain(query, candidate, cosine, 2);
      const local =
        glove === undefined
          ? undefined
          : gloveVerifier.explain(query, candidate, dot(glove.embedOne(query), glove.embedOne(candidate)), 2)
              .similarity;
      return { ...e, similarity: similarityOf(e.features, e.similarity), local };
    },
  });
  const replayOptions = { candidates: CANDIDATES, minCosine };
  const replays = new Map<string, Lookup[]>();
  for (const name of REPLAY_SETS) {
    for (const split of ['tune', 'held-out'] as const) {
      const pairs = (datasets.get(name) ?? []).filter((p) => inSplit(p, split));
      replays.set(`${name}:${split}`, replayLookups(pairs, replayModel(), replayOptions));
    }
  }
  const gptcache = replayLookups(mock, replayModel(), replayOptions);
  if (values.dump !== undefined) {
    const pairs = [...datasets.values()].flat().map((p) => ({
      dataset: p.dataset,
      label: p.label,
      tune: inSplit(p, 'tune'),
      similarity: p.similarity,
      features: p.features,
    }));
    dumpReplays(values.dump, [...replays, ['gptcache', gptcache]], pairs);
  }
  const serve = (threshold: number) => (lookup: Lookup) =>
    chooseSemanticHit(
      lookup.candidates.map((c) => ({ id: c.entry, cosine: c.cosine, similarity: c.explanation.similarity })),
      threshold,
      DEFAULT_SEMANTIC_MARGIN,
    )?.id;

  const grid: number[] = [];
  for (let t = 0.5; t <= 0.995 + 1e-9; t += 0.005) grid.push(Math.round(t * 1000) / 1000);
  const presets = Object.entries(PRESET_BUDGETS).map(([name, budget]) => {
    const threshold = grid.find((t) =>
      REPLAY_SETS.every((set) => {
        const r = countReplay(replays.get(`${set}:tune`) ?? [], serve(t));
        return r.wrongOnNegatives <= budget * r.negatives;
      }),
    );
    return { name, budget, threshold: threshold ?? 1 };
  });

  // With --fit the balanced preset just chosen is the default; otherwise the model's calibrated one.
  const defaultThreshold = values.fit
    ? (presets.find((p) => p.name === 'balanced')?.threshold ?? 1)
    : verifier.defaultThreshold;

  print('## Model');
  print();
  print(
    `- embedding model: ${model}; the verifier's word vectors: ${vectors.size} words, ${vectors.dimensions} dimensions, int8; WordNet 3.1 synonyms and antonyms`,
  );
  print(`- load (word vectors + model's vectors of every text + verifier + WordNet): ${loadMs.toFixed(0)} ms`);
  print(`- verify(): ${((1000 * verifyMs) / verified).toFixed(0)} µs/pair (${verified} pairs)`);
  print(
    `- retrieval: top ${CANDIDATES} by cosine ≥ ${minCosine}; served only with a cosine lead ≥ ${DEFAULT_SEMANTIC_MARGIN} over the next candidate (unless the same words)`,
  );
  print();
  print('## Thresholds chosen on the tuning groups (PAWS and QQP replayed as a cache)');
  print();
  print('| preset | wrong hits allowed on label-0 lookups | threshold |');
  print('|---|---|---|');
  for (const p of presets) print(`| ${p.name} | ${percent(p.budget)} | ${p.threshold} |`);
  print(`\ndefault threshold (balanced) for ${model}: ${defaultThreshold}`);
  print();

  const thresholds = [...new Set([defaultThreshold, ...presets.map((p) => p.threshold)])].sort();
  print('## Cache replays, held-out groups (store every text_a in one namespace, look up every text_b)');
  print();
  print('| set | threshold | correct | wrong | miss | wrong hits / label-0 lookups | precision of served hits |');
  print('|---|---|---|---|---|---|---|');
  for (const set of REPLAY_SETS) {
    const lookups = replays.get(`${set}:held-out`) ?? [];
    for (const t of thresholds) print(replayRow(set, String(t), countReplay(lookups, serve(t))));
    for (const t of [0.9, 0.95]) print(replayRow(set, `cosine only ${t}`, countReplay(lookups, cosinePick(t))));
  }
  print();
  print(
    `## GPTCache's benchmark (${REPLAY_DATASET}: insert ${mock.length} text_a, look up every text_b; never used for tuning)`,
  );
  print();
  print('| method | threshold | correct | wrong | miss |');
  print('|---|---|---|---|---|');
  for (const t of thresholds) {
    const r = countReplay(gptcache, serve(t));
    print(`| Strata verifier | ${t} | ${r.correct} | ${r.wrong} | ${r.miss} |`);
  }
  for (const t of [0.95, 0.9, 0.8]) {
    const r = countReplay(gptcache, cosinePick(t));
    print(`| cosine only (top 1, ${model}) | ${t} | ${r.correct} | ${r.wrong} | ${r.miss} |`);
  }
  print('| GPTCache published (ONNX + its evaluation) | 0.95 | 425 | 25 | 549 |');
  print('| GPTCache published | 0.9 | 804 | 77 | 118 |');
  print('| GPTCache published | 0.8 | 904 | 92 | 3 |');
  print();

  const split = (name: string, by: 'similarity' | 'cosine'): Scored[] =>
    (datasets.get(name) ?? [])
      .filter((p) => inSplit(p, 'held-out'))
      .map((p) => ({
        label: p.label,
        // The vector index never returns a candidate below the floor: the verifier never sees it.
        score: p.cosine < minCosine ? 0 : by === 'cosine' ? p.cosine : similarityOf(p.features, p.similarity),
      }));
  print(`## Held-out pairs at the default ${defaultThreshold} (cosine floor ${minCosine} applied)`);
  print();
  print('| dataset | pos / neg | P | R | wrong hits | cosine only 0.95: P | R | wrong hits |');
  print('|---|---|---|---|---|---|---|---|');
  for (const name of PAIR_DATASETS) {
    const v = pairMetrics(split(name, 'similarity'), defaultThreshold);
    const c = pairMetrics(split(name, 'cosine'), 0.95);
    print(
      `| ${name} | ${v.positives} / ${v.negatives} | ${percent(v.precision)} | ${percent(v.recall)} | ${percent(v.wrongHitRate)} ` +
        `| ${percent(c.precision)} | ${percent(c.recall)} | ${percent(c.wrongHitRate)} |`,
    );
  }
  print();
  print('## Held-out sweep: verifier similarity (P / R / wrong hits)');
  print();
  const sweepAt = [0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98];
  print(`| dataset | ${sweepAt.join(' | ')} |`);
  print(`|---|${sweepAt.map(() => '---').join('|')}|`);
  for (const name of PAIR_DATASETS) {
    const set = split(name, 'similarity');
    const cells = sweepAt.map((t) => {
      const m = pairMetrics(set, t);
      return `${percent(m.precision)} / ${percent(m.recall)} / ${percent(m.wrongHitRate)}`;
    });
    print(`| ${name} | ${cells.join(' | ')} |`);
  }
  print();
  print('## Why pairs were rejected (held-out groups; label 1 = same meaning)');
  print();
  print('| dataset | reason | label 1 | label 0 |');
  print('|---|---|---|---|');
  for (const [name, pairs] of datasets) {
    const counts = new Map<string, [number, number]>();
    for (const p of pairs.filter((x) => inSplit(x, 'held-out'))) {
      const s = similarityOf(p.features, p.similarity);
      const reason =
        p.features === undefined
          ? p.similarity >= 1
            ? 'match (same words)'
            : p.reason
          : s >= defaultThreshold
            ? 'match'
            : 'below-threshold';
      const c = counts.get(reason) ?? [0, 0];
      c[p.label === 1 ? 0 : 1]++;
      counts.set(reason, c);
    }
    for (const [reason, [pos, neg]] of [...counts].sort()) print(`| ${name} | ${reason} | ${pos} | ${neg} |`);
  }
  print();
  runProbes(print, verifier, encoder, defaultThreshold, minCosine);
  print();
  print(`Total run: ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  if (values.out !== undefined) writeFileSync(values.out, `${out.join('\n')}\n`);
}

/** The replays' candidates with their evidence (JSON), to try calibrations without embedding again. */
function dumpReplays(
  path: string,
  replays: readonly (readonly [string, readonly Lookup[]])[],
  pairs: readonly object[],
): void {
  const sets = Object.fromEntries(
    replays.map(([name, lookups]) => [
      name,
      lookups.map((l) => ({
        label: l.pair.label,
        same: [...l.same],
        candidates: l.candidates.map((c) => ({
          entry: c.entry,
          cosine: c.cosine,
          similarity: c.explanation.similarity,
          local: (c.explanation as { local?: number }).local,
          features: c.explanation.features,
        })),
      })),
    ]),
  );
  writeFileSync(path, JSON.stringify({ sets, pairs }));
}

function replayRow(set: string, threshold: string, r: ReplayCounts): string {
  return `| ${set} | ${threshold} | ${r.correct} | ${r.wrong} | ${r.miss} | ${r.wrongOnNegatives} / ${r.negatives} = ${percent(r.wrongOnNegatives / Math.max(1, r.negatives))} | ${percent(r.precision)} |`;
}

/** Fits the logistic model on `features` only (the others get no weight). */
function fit(pairs: readonly ScoredPair[], features: readonly FeatureName[]): Calibration {
  const usable = pairs.filter((p): p is ScoredPair & { features: MatchFeatures } => p.features !== undefined);
  const cells = new Map<string, number>();
  for (const p of usable) cells.set(`${p.dataset}:${p.label}`, (cells.get(`${p.dataset}:${p.label}`) ?? 0) + 1);
  const examples: Example[] = usable.map((p) => ({
    x: features.map((name) => p.features[name]),
    y: p.label,
    weight: 1 / (cells.get(`${p.dataset}:${p.label}`) ?? 1),
  }));
  const [intercept, ...weights] = fitSignConstrained(
    examples,
    features.map((name) => FEATURES.find((f) => f.name === name)?.direction ?? 1),
  );
  return {
    intercept: intercept ?? 0,
    weights: Object.fromEntries(FEATURE_NAMES.map((name) => [name, weights[features.indexOf(name)] ?? 0])),
  };
}

function dot(x: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < x.length; d++) sum += x[d] * y[d];
  return sum;
}

main().catch((error: unknown) => {
  if (error instanceof MissingDataError) {
    console.error(`semantic-eval: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
