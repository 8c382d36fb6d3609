/**
 * L3 lookup of the embedded default's vector index (`MemoryVectorIndex`), the exact scan against the HNSW graph, in
 * one run: the same entries are written to an index that scans every context exactly (`annMinEntries: Infinity`) and
 * to one with the default cut-over (contexts from `defaultAnnMinEntries(dimension)` entries up are HNSW graphs), and
 * both answer the same lookups. The graph answers them twice, on the same build: with its nodes numbered in write order
 * (`graphReordering` off while it is built: "before"), then renumbered in breadth-first order (`reorderGraphs`:
 * "after", the default since session 13). `--compare bounded-rerank` instead compares re-ranking on the float32 vectors
 * every node the walk ends with (`boundedRerank` off) with re-ranking only those whose int8 score could reach
 * `minScore`, the passes interleaved.
 *
 * Vectors are the local embedding model's (GloVe 100-d, SIF-weighted): each entry is a pseudo-question of 4–12 words
 * drawn by frequency from the words of this repository's docs, embedded with `LocalEmbeddingProvider`. A "hit" lookup
 * is a stored question with one word replaced (its best match is near); a "miss" lookup is a new question. Layouts:
 *
 * - one-context: every entry in one (tenant, context) partition (one system prompt for every user);
 * - spread: entries over N/100 contexts of 20 tenants, Zipf-distributed sizes, lookups ∝ context size.
 *
 * Reported per size and index: build time (upserts, plus linking the graphs) and its CPU per entry, index memory per
 * entry (heap, typed arrays and the graphs' WebAssembly vector memory after GC, the entries themselves excluded),
 * hit-lookup latency (wall and CPU, `limit` 5, `minScore` 0.8), recall@5 against the exact index (`minScore` -1: the
 * plain top 5), hit recall@5 (the same over the exact index's results ≥ `minScore`), lost hits and changed answers
 * against a reference row of the same graph (hit and miss lookups), and misses per second of CPU.
 * `--cutover` instead times exact scans against graph searches of single contexts of 1k–16k entries.
 * `--two-pass` evaluates a narrow first walk that lets only likely hits through to the full one (`twoPass`).
 * `--dim 1536` projects the vectors to 1,536 dimensions (a fixed random projection plus noise) to show the cost of a
 * hosted model's dimension.
 *
 * Usage: node --expose-gc [--max-old-space-size=12000] dist/bench/l3-lookup.bench.js [--sizes 10000,100000 (default;
 *          1000000: ~0.5 ms of CPU per linked entry, i.e. ~10 minutes of a free core)]
 *          [--layouts|--layout one-context,spread] [--queries N] [--dim 100|1536] [--cutover] [--hnsw m,efC,efS]
 *          [--ef 64,256 (also measure the same graphs at these search widths)] [--rounds 9] [--json path]
 *          [--compare reorder (default) | bounded-rerank]
 *          [--two-pass [--seed N] [--two-pass-ef 32,64] [--two-pass-margins 0,0.1] [--two-pass-min 0.8]]
 */
import { type CacheEntry, type VectorCandidate, type VectorSearch, entryTag } from '@strata/cache-core';
import { tokenize } from '@strata/embedding';
import { LocalEmbeddingProvider } from '@strata/embedding-local';
import { DEFAULT_HNSW_OPTIONS, type HnswOptions, MemoryVectorIndex, defaultAnnMinEntries } from '@strata/store-memory';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from './support/random';
import { machineLoad, median } from './support/stats';

const MODEL = 'glove-wiki-100d';
const TENANTS = 20;
const MIN_SCORE = 0.8;
const LIMIT = 5;
const WARMUP = 50;
/** Run from the repository root, as the README says. */
const DOCS = join(process.cwd(), 'docs');

type Layout = 'one-context' | 'spread';
type IndexKind =
  | 'exact scan'
  | 'HNSW, every node re-ranked (before)'
  | 'HNSW, bounded re-rank (after)'
  | 'HNSW, write order (before)'
  | 'HNSW, BFS order (after)'
  | `HNSW ef=${number}`;

interface Result {
  layout: Layout;
  entries: number;
  dimension: number;
  index: IndexKind;
  contexts: number;
  graphContexts: number;
  buildSeconds: number;
  /** Of which linking the graphs (the rest is the upserts themselves). */
  linkSeconds: number;
  /** CPU of the whole build per entry, µs: what a write costs, whatever else the machine runs. */
  buildCpuUsPerEntry: number;
  bytesPerEntry: number;
  queries: number;
  p50Ms: number;
  p99Ms: number;
  cpuP50Ms: number;
  cpuP99Ms: number;
  hitsPerQuery: number;
  recallAt5: number;
  /** Of the exact scan's results ≥ minScore (top 5) for hit lookups, the share this index served too. */
  hitRecallAt5: number;
  /** Lookups (hit and miss) the reference answered with a result ≥ minScore, and of those, how many this left empty. */
  referenceHits: number;
  lostHits: number;
  /** Lookups whose results (ids and scores) differ from the reference's. */
  changed: number;
  missesPerCpuSecond: number;
  /** Before/after rows: misses per CPU-second, median of `--rounds` passes interleaved with the other row's. */
  missesPerCpuSecondRounds?: number;
}

/** Pseudo-questions from the docs' vocabulary, drawn by word frequency, embedded with the local model. */
class QuestionSource {
  private readonly words: string[];
  private readonly cumulative: Float64Array;

  private constructor(
    private readonly provider: LocalEmbeddingProvider,
    counts: Map<string, number>,
    private readonly random: Random,
    private readonly projection: Float32Array | undefined,
    readonly dimension: number,
  ) {
    this.words = [...counts.keys()];
    this.cumulative = new Float64Array(this.words.length);
    let sum = 0;
    this.words.forEach((word, i) => (this.cumulative[i] = sum += counts.get(word) ?? 0));
  }

  static async load(random: Random, dimension: number): Promise<QuestionSource> {
    const provider = await LocalEmbeddingProvider.load();
    const text = readdirSync(DOCS, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.md'))
      .map((file) => readFileSync(join(DOCS, file), 'utf8'))
      .join('\n');
    const counts = new Map<string, number>();
    for (const word of tokenize(text)) if (/^[a-z]{2,}$/.test(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
    let projection: Float32Array | undefined;
    if (dimension !== provider.dimensions) {
      projection = new Float32Array(provider.dimensions * dimension);
      for (let i = 0; i < projection.length; i++) projection[i] = random.gaussian() / Math.sqrt(dimension);
    }
    return new QuestionSource(provider, counts, random, projection, dimension);
  }

  question(): string[] {
    const length = 4 + this.random.below(9);
    return Array.from({ length }, () => this.word());
  }

  /** The same question with `replaced` words replaced (at random positions, maybe the same): a near neighbour. */
  paraphrase(words: readonly string[], replaced = 1): string[] {
    const copy = [...words];
    for (let i = 0; i < replaced; i++) copy[this.random.below(copy.length)] = this.word();
    return copy;
  }

  embed(words: readonly string[], into: Float32Array): void {
    const vector = this.provider.embedOne(words.join(' '));
    if (!this.projection) {
      into.set(vector);
      return;
    }
    const from = vector.length;
    for (let d = 0; d < this.dimension; d++) {
      let sum = 0;
      for (let k = 0; k < from; k++) sum += vector[k] * this.projection[k * this.dimension + d];
      into[d] = sum + 0.01 * this.random.gaussian();
    }
  }

  private word(): string {
    const target = this.random.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return this.words[lo];
  }
}

/** Sizes of `contexts` contexts holding `entries` in total, ∝ 1/rank, each at least 1. */
function zipfSizes(entries: number, contexts: number): number[] {
  let harmonic = 0;
  for (let r = 1; r <= contexts; r++) harmonic += 1 / r;
  const sizes = Array.from({ length: contexts }, (_, i) => Math.max(1, Math.floor(entries / ((i + 1) * harmonic))));
  let missing = entries - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; missing !== 0; i = (i + 1) % contexts) {
    const step = missing > 0 ? 1 : sizes[i] > 1 ? -1 : 0;
    sizes[i] += step;
    missing -= step;
  }
  return sizes;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function defaultQueries(entries: number): number {
  return entries <= 10_000 ? 2_000 : entries <= 100_000 ? 1_000 : 300;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * A full GC, then a second for V8's background threads to finish sweeping: `process.cpuUsage` counts every thread,
 * so without the pause the first lookups timed after a build pay for its garbage (the first graph row's CPU p99 was
 * 3–5× the next rows' in every run before this).
 */
async function settle(): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
}

/** JS heap plus typed arrays (the graphs' WebAssembly memories are added by `build`). */
function usedBytes(): number {
  const memory = process.memoryUsage();
  return memory.heapUsed + memory.arrayBuffers;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e3;
}

interface Context {
  tenant: string;
  contextHash: string;
  /** Positions of its entries in the vector table. */
  members: number[];
}

interface Dataset {
  contexts: Context[];
  entries: CacheEntry[];
  /** Entry i's question and vector. */
  questions: string[][];
  vectors: Float32Array;
  pickContext: () => Context;
}

function dataset(layout: Layout, count: number, source: QuestionSource, random: Random): Dataset {
  const sizes = layout === 'one-context' ? [count] : zipfSizes(count, Math.max(10, Math.floor(count / 100)));
  const contexts: Context[] = sizes.map((_, i) => ({
    tenant: `tenant-${i % TENANTS}`,
    contextHash: `context-${i}`,
    members: [],
  }));
  const now = Date.now();
  const response = { choices: [{ index: 0, message: { role: 'assistant', content: 'cached answer' } }] };
  const vectors = new Float32Array(count * source.dimension);
  const entries: CacheEntry[] = [];
  const questions: string[][] = [];
  let position = 0;
  for (const [c, size] of sizes.entries()) {
    const context = contexts[c];
    for (let i = 0; i < size; i++, position++) {
      const id = `${c}-${i}`;
      const question = source.question();
      questions.push(question);
      source.embed(question, vectors.subarray(position * source.dimension, (position + 1) * source.dimension));
      context.members.push(position);
      entries.push({
        id,
        tenant: context.tenant,
        namespace: 'default',
        namespaceVersion: 1,
        model: 'gpt-4o-mini',
        exactKey: id,
        contextHash: context.contextHash,
        query: question.join(' '),
        response,
        tags: [entryTag(id)],
        createdAt: now,
        expiresAt: now + 86_400_000,
      });
    }
  }
  const cumulative = new Float64Array(sizes.length);
  sizes.reduce((sum, size, i) => (cumulative[i] = sum + size), 0);
  const pickContext = (): Context => {
    const target = random.next() * count;
    let lo = 0;
    let hi = sizes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return contexts[lo];
  };
  return { contexts, entries, questions, vectors, pickContext };
}

interface Lookup {
  context: Context;
  vector: Float32Array;
}

/** `replaced` 0: new questions (mostly misses); 1..: stored questions with that many words replaced. */
function lookups(data: Dataset, source: QuestionSource, random: Random, count: number, replaced: number): Lookup[] {
  return Array.from({ length: count }, () => {
    const context = data.pickContext();
    const vector = new Float32Array(source.dimension);
    const base = context.members[random.below(context.members.length)];
    source.embed(replaced > 0 ? source.paraphrase(data.questions[base], replaced) : source.question(), vector);
    return { context, vector };
  });
}

function searchOf(lookup: Lookup, minScore: number, now: number): VectorSearch {
  return {
    vector: lookup.vector,
    tenant: lookup.context.tenant,
    contextHash: lookup.context.contextHash,
    model: MODEL,
    limit: LIMIT,
    minScore,
    now,
  };
}

async function build(
  data: Dataset,
  dimension: number,
  /** Unset: the index's default cut-over for the vectors' length. */
  annMinEntries: number | undefined,
  /** Whether the graphs renumber their nodes once linked (the default); false keeps write order, as before. */
  reorder = true,
): Promise<{ index: MemoryVectorIndex; seconds: number; linkSeconds: number; cpuSeconds: number; bytes: number }> {
  gc();
  const before = usedBytes();
  const index = new MemoryVectorIndex({
    ...(annMinEntries === undefined ? {} : { annMinEntries }),
    hnsw: hnswOptions(),
  });
  index.graphReordering = reorder;
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  const progressEvery = data.entries.length >= 200_000 ? 100_000 : Number.POSITIVE_INFINITY;
  for (const [position, entry] of data.entries.entries()) {
    await index.upsert(MODEL, entry, data.vectors.subarray(position * dimension, (position + 1) * dimension));
    if ((position + 1) % progressEvery === 0) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stderr.write(`  ${(position + 1).toLocaleString('en')} written, ${seconds.toFixed(0)} s\n`);
    }
  }
  const linking = process.hrtime.bigint();
  index.linkPending();
  const ended = process.hrtime.bigint();
  const cpuSeconds = cpuMs(cpuStarted) / 1e3;
  await settle();
  return {
    index,
    seconds: Number(ended - started) / 1e9,
    linkSeconds: Number(ended - linking) / 1e9,
    cpuSeconds,
    bytes: usedBytes() + index.graphVectorBytes - before,
  };
}

/** What one index answered: per hit lookup its plain top-5 scores, per lookup (hits, then misses) its results ≥ minScore. */
interface Answers {
  top: number[][];
  served: VectorCandidate[][];
}

async function measure(
  layout: Layout,
  kind: IndexKind,
  data: Dataset,
  built: Awaited<ReturnType<typeof build>>,
  hits: Lookup[],
  misses: Lookup[],
  /** The exact scan's answers (recall), and the answers to compare with (lost hits, changed); unset for those rows. */
  exact: Answers | undefined,
  reference: Answers | undefined,
): Promise<{ result: Result; answers: Answers }> {
  const { index } = built;
  const now = Date.now();
  for (let q = 0; q < Math.min(WARMUP, hits.length); q++) await index.search(searchOf(hits[q], MIN_SCORE, now));
  const latencies = new Float64Array(hits.length);
  const cpuTimes = new Float64Array(hits.length);
  const served: VectorCandidate[][] = [];
  let found = 0;
  for (const [q, lookup] of hits.entries()) {
    const cpuStarted = process.cpuUsage();
    const started = process.hrtime.bigint();
    const candidates = await index.search(searchOf(lookup, MIN_SCORE, now));
    latencies[q] = Number(process.hrtime.bigint() - started) / 1e6;
    cpuTimes[q] = cpuMs(cpuStarted);
    found += candidates.length;
    served.push(candidates);
  }
  latencies.sort();
  cpuTimes.sort();

  // Recall: the plain top 5 (no score floor) against the exact index's. Questions repeat (the same words drawn
  // again), so the exact top 5 often has ties: a result counts when it scores at least the exact 5th score.
  const top: number[][] = [];
  let recalled = 0;
  let expected = 0;
  for (const [q, lookup] of hits.entries()) {
    const scores = (await index.search(searchOf(lookup, -1, now))).map((candidate) => candidate.score);
    top.push(scores);
    const reference = exact?.top[q] ?? scores;
    const floor = (reference[reference.length - 1] ?? Number.POSITIVE_INFINITY) - 1e-6;
    expected += reference.length;
    recalled += Math.min(reference.length, scores.filter((score) => score >= floor).length);
  }

  const missStarted = process.cpuUsage();
  for (const lookup of misses) served.push(await index.search(searchOf(lookup, MIN_SCORE, now)));
  const missCpuMs = cpuMs(missStarted);

  // Hit recall: the same with the score floor, over the hit lookups' results ≥ minScore.
  let hitRecalled = 0;
  let hitExpected = 0;
  for (let q = 0; q < hits.length; q++) {
    const reference = (exact?.served[q] ?? served[q]).map((candidate) => candidate.score);
    const floor = (reference[reference.length - 1] ?? Number.POSITIVE_INFINITY) - 1e-6;
    hitExpected += reference.length;
    hitRecalled += Math.min(reference.length, served[q].filter((candidate) => candidate.score >= floor).length);
  }
  const { referenceHits, lostHits, changed } = lost(served, reference?.served ?? served);

  return {
    answers: { top, served },
    result: {
      layout,
      entries: data.entries.length,
      dimension: lookupDimension(hits),
      index: kind,
      contexts: data.contexts.length,
      graphContexts: index.graphContexts,
      buildSeconds: built.seconds,
      linkSeconds: built.linkSeconds,
      buildCpuUsPerEntry: Math.round((built.cpuSeconds * 1e6) / data.entries.length),
      bytesPerEntry: Math.round(built.bytes / data.entries.length),
      queries: hits.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      cpuP50Ms: percentile(cpuTimes, 50),
      cpuP99Ms: percentile(cpuTimes, 99),
      hitsPerQuery: found / hits.length,
      recallAt5: expected === 0 ? 1 : recalled / expected,
      hitRecallAt5: hitExpected === 0 ? 1 : hitRecalled / hitExpected,
      referenceHits,
      lostHits,
      changed,
      missesPerCpuSecond: Math.round(misses.length / (missCpuMs / 1e3)),
    },
  };
}

/** Lookups `reference` answered with results ≥ minScore; of those, the ones left empty; lookups answered otherwise. */
function lost(
  served: VectorCandidate[][],
  references: VectorCandidate[][],
): { referenceHits: number; lostHits: number; changed: number } {
  let referenceHits = 0;
  let lostHits = 0;
  let changed = 0;
  for (const [q, reference] of references.entries()) {
    const answer = served[q];
    if (reference.length > 0) referenceHits++;
    if (reference.length > 0 && answer.length === 0) lostHits++;
    const same =
      answer.length === reference.length &&
      answer.every((c, i) => c.entry.id === reference[i].entry.id && c.score === reference[i].score);
    if (!same) changed++;
  }
  return { referenceHits, lostHits, changed };
}

function lookupDimension(hits: Lookup[]): number {
  return hits[0]?.vector.length ?? 0;
}

async function run(layout: Layout, count: number, dimension: number, queries: number): Promise<Result[]> {
  const random = new Random(count);
  const source = await QuestionSource.load(random, dimension);
  const data = dataset(layout, count, source, random);
  const hits = lookups(data, source, random, queries, 1);
  const misses = lookups(data, source, random, queries, 0);

  let exactBuild: Awaited<ReturnType<typeof build>> | undefined = await build(
    data,
    dimension,
    Number.POSITIVE_INFINITY,
  );
  const exact = await measure(layout, 'exact scan', data, exactBuild, hits, misses, undefined, undefined);
  exactBuild = undefined;
  gc();
  if (argument('compare') === 'bounded-rerank') {
    return [exact.result, ...(await compareBoundedRerank(layout, data, dimension, hits, misses, exact.answers))];
  }
  return [exact.result, ...(await compareReorder(layout, data, dimension, hits, misses, exact.answers))];
}

/**
 * The same graph in write order ("before": node ids as the entries were written), then renumbered in breadth-first
 * order (`MemoryVectorIndex.reorderGraphs`, "after"); the answers must be the same. Misses per CPU-second: the median
 * of `--rounds` passes over the misses before, then as many after (a renumbering cannot be undone, so the passes are
 * not interleaved: compare with the load average printed beside them).
 */
async function compareReorder(
  layout: Layout,
  data: Dataset,
  dimension: number,
  hits: Lookup[],
  misses: Lookup[],
  exactAnswers: Answers,
): Promise<Result[]> {
  const graph = await build(data, dimension, undefined, false);
  const before = await measure(
    layout,
    'HNSW, write order (before)',
    data,
    graph,
    hits,
    misses,
    exactAnswers,
    undefined,
  );
  const rounds = Number(argument('rounds') ?? 9);
  const now = Date.now();
  const missRounds = async (): Promise<number[]> => {
    const perSecond: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = process.cpuUsage();
      for (const lookup of misses) await graph.index.search(searchOf(lookup, MIN_SCORE, now));
      perSecond.push(misses.length / (cpuMs(started) / 1e3));
    }
    return perSecond;
  };
  before.result.missesPerCpuSecondRounds = Math.round(median(await missRounds()));
  console.error(`  before: ${machineLoad()}`);
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  graph.index.reorderGraphs();
  const reorderMs = Number(process.hrtime.bigint() - started) / 1e6;
  console.error(
    `  renumbered ${data.entries.length.toLocaleString('en')} entries in ${reorderMs.toFixed(0)} ms (${cpuMs(cpuStarted).toFixed(0)} ms CPU)`,
  );
  await settle();
  const after = await measure(
    layout,
    'HNSW, BFS order (after)',
    data,
    graph,
    hits,
    misses,
    exactAnswers,
    before.answers,
  );
  after.result.missesPerCpuSecondRounds = Math.round(median(await missRounds()));
  console.error(`  after: ${machineLoad()}`);
  const rows = [before.result, after.result];
  for (const ef of (argument('ef') ?? '').split(',').filter(Boolean).map(Number)) {
    graph.index.efSearch = ef;
    rows.push((await measure(layout, `HNSW ef=${ef}`, data, graph, hits, misses, exactAnswers, after.answers)).result);
  }
  return rows;
}

/** The same graph re-ranking every node its walk ends with (as before the bound), then only those the bound leaves. */
async function compareBoundedRerank(
  layout: Layout,
  data: Dataset,
  dimension: number,
  hits: Lookup[],
  misses: Lookup[],
  exactAnswers: Answers,
): Promise<Result[]> {
  const exact = { answers: exactAnswers };
  const graph = await build(data, dimension, undefined);
  graph.index.boundedRerank = false;
  const before = await measure(
    layout,
    'HNSW, every node re-ranked (before)',
    data,
    graph,
    hits,
    misses,
    exact.answers,
    undefined,
  );
  graph.index.boundedRerank = true;
  const after = await measure(
    layout,
    'HNSW, bounded re-rank (after)',
    data,
    graph,
    hits,
    misses,
    exact.answers,
    before.answers,
  );
  // One pass of a few hundred misses is a fraction of a second of CPU, easily moved by the machine's other load:
  // the two settings again, alternating, the median of each.
  const rounds: Record<'all' | 'bounded', number[]> = { all: [], bounded: [] };
  const now = Date.now();
  for (let round = 0; round < Number(argument('rounds') ?? 9); round++) {
    for (const bounded of [false, true]) {
      graph.index.boundedRerank = bounded;
      const started = process.cpuUsage();
      for (const lookup of misses) await graph.index.search(searchOf(lookup, MIN_SCORE, now));
      rounds[bounded ? 'bounded' : 'all'].push(misses.length / (cpuMs(started) / 1e3));
    }
  }
  graph.index.boundedRerank = true;
  before.result.missesPerCpuSecondRounds = Math.round(median(rounds.all));
  after.result.missesPerCpuSecondRounds = Math.round(median(rounds.bounded));
  const rows = [before.result, after.result];
  // Other widths, compared with the default width: what a narrower walk loses.
  for (const ef of (argument('ef') ?? '').split(',').filter(Boolean).map(Number)) {
    graph.index.efSearch = ef;
    rows.push((await measure(layout, `HNSW ef=${ef}`, data, graph, hits, misses, exact.answers, after.answers)).result);
  }
  return rows;
}

/**
 * A two-pass lookup, evaluated (`--two-pass`): a narrow walk (efSearch `ef`) asked for anything scoring at least
 * minScore − margin, and the full walk only when it found something. One context of `count` entries; lookups of every
 * kind (new questions, and stored ones with 1–4 words replaced, so that many land near the threshold), drawn with
 * `--seed` (other seeds: held-out data). Per (ef, margin): the lookups the full walk answers with a result ≥ minScore
 * that the narrow pass would have turned away ("lost"), and the CPU per miss (a lookup the full walk leaves empty)
 * of the narrow pass plus the full walks it lets through, against the full walk alone. `--two-pass-ef`,
 * `--two-pass-margins` and `--two-pass-min` set the grid.
 */
async function twoPass(count: number, dimension: number, perKind: number): Promise<void> {
  const random = new Random(count);
  const source = await QuestionSource.load(random, dimension);
  const data = dataset('one-context', count, source, random);
  const seed = Number(argument('seed') ?? 0x7e57);
  const lookupRandom = new Random(seed);
  const lookupSource = await QuestionSource.load(lookupRandom, dimension);
  const all = [0, 1, 2, 3, 4].flatMap((replaced) => lookups(data, lookupSource, lookupRandom, perKind, replaced));
  const { index } = await build(data, dimension, undefined);
  const fullEf = index.efSearch;
  const list = (name: string, fallback: string): number[] => (argument(name) ?? fallback).split(',').map(Number);
  const now = Date.now();
  const answer = async (lookupsToAnswer: Lookup[], ef: number, minScore: number): Promise<VectorCandidate[][]> => {
    index.efSearch = ef;
    const served: VectorCandidate[][] = [];
    for (const lookup of lookupsToAnswer) served.push(await index.search(searchOf(lookup, minScore, now)));
    return served;
  };
  const cpuUs = async (lookupsToTime: Lookup[], ef: number, minScore: number): Promise<number> => {
    await answer(lookupsToTime.slice(0, WARMUP), ef, minScore);
    const started = process.cpuUsage();
    await answer(lookupsToTime, ef, minScore);
    return cpuMs(started) * 1e3;
  };
  console.log(
    `\ntwo-pass lookups: ${count.toLocaleString('en')} entries in one context, lookup seed ${seed}, ${perKind} ` +
      `lookups each of new questions and of stored ones with 1, 2, 3, 4 words replaced; full walk: efSearch ${fullEf}`,
  );
  console.log(
    '| minScore | narrow ef | margin | full-walk hits | lost | misses | passed on | CPU µs/miss | vs full walk |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const minScore of list('two-pass-min', String(MIN_SCORE))) {
    const full = await answer(all, fullEf, minScore);
    const missing = all.filter((_, q) => full[q].length === 0);
    const fullUs = (await cpuUs(missing, fullEf, minScore)) / missing.length;
    console.log(`| ${minScore} | – | – | – | – | ${missing.length} | – | ${fullUs.toFixed(0)} | 1.00× |`);
    for (const ef of list('two-pass-ef', '16,32,64')) {
      for (const margin of list('two-pass-margins', '0,0.05,0.1,0.15,0.2,0.3')) {
        const narrow = await answer(all, ef, minScore - margin);
        const { referenceHits, lostHits } = lost(narrow, full);
        const narrowMisses = await answer(missing, ef, minScore - margin);
        const passedOn = missing.filter((_, q) => narrowMisses[q].length > 0);
        const us =
          ((await cpuUs(missing, ef, minScore - margin)) + (await cpuUs(passedOn, fullEf, minScore))) / missing.length;
        console.log(
          `| ${minScore} | ${ef} | ${margin} | ${referenceHits} | ${lostHits} | ${missing.length} | ${passedOn.length} | ` +
            `${us.toFixed(0)} | ${(fullUs / us).toFixed(2)}× |`,
        );
      }
    }
  }
  index.efSearch = fullEf;
}

/** Exact scan against graph search of one context per size: where the cut-over belongs. */
async function cutover(dimension: number): Promise<void> {
  console.log(`\ncut-over: CPU µs per lookup (mean of 2,000, limit ${LIMIT}, minScore ${MIN_SCORE}), one context`);
  console.log('| entries | exact scan | HNSW | HNSW build µs/entry |');
  console.log('|---:|---:|---:|---:|');
  for (const count of [1_000, 2_000, 4_000, 8_000, 16_000]) {
    const random = new Random(count);
    const source = await QuestionSource.load(random, dimension);
    const data = dataset('one-context', count, source, random);
    const hits = lookups(data, source, random, 2_000, 1);
    const timings: number[] = [];
    let buildUs = 0;
    for (const annMinEntries of [Number.POSITIVE_INFINITY, 2]) {
      const built = await build(data, dimension, annMinEntries);
      if (annMinEntries === 2) buildUs = (built.seconds * 1e6) / count;
      const now = Date.now();
      for (const lookup of hits.slice(0, WARMUP)) await built.index.search(searchOf(lookup, MIN_SCORE, now));
      const started = process.cpuUsage();
      for (const lookup of hits) await built.index.search(searchOf(lookup, MIN_SCORE, now));
      timings.push((cpuMs(started) * 1e3) / hits.length);
    }
    console.log(
      `| ${count.toLocaleString('en')} | ${timings[0].toFixed(0)} | ${timings[1].toFixed(0)} | ${buildUs.toFixed(0)} |`,
    );
  }
}

/** `--hnsw m,efConstruction,efSearch` overrides the graphs' defaults (for tuning). */
function hnswOptions(): Partial<HnswOptions> {
  const values = argument('hnsw')?.split(',').map(Number);
  return values ? { m: values[0], efConstruction: values[1], efSearch: values[2] } : {};
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const dimension = Number(argument('dim') ?? 100);
  console.log(
    `MemoryVectorIndex search, ${dimension}-d local-model vectors, limit ${LIMIT}, minScore ${MIN_SCORE}, ` +
      `cut-over ${defaultAnnMinEntries(dimension)} entries, HNSW ${JSON.stringify({ ...DEFAULT_HNSW_OPTIONS, ...hnswOptions() })}, ` +
      `node ${process.version}`,
  );
  if (process.argv.includes('--cutover')) {
    await cutover(dimension);
    return;
  }
  if (process.argv.includes('--two-pass')) {
    for (const entries of (argument('sizes') ?? '100000').split(',').map(Number)) {
      await twoPass(entries, dimension, Number(argument('queries') ?? 400));
    }
    return;
  }
  const sizes = (argument('sizes') ?? '10000,100000').split(',').map(Number);
  const layouts = (argument('layouts') ?? argument('layout') ?? 'one-context,spread').split(',') as Layout[];
  const queries = argument('queries') === undefined ? undefined : Number(argument('queries'));
  const results: Result[] = [];
  console.log(
    '| layout | entries | index | graphs | build s (linking) | build CPU µs/entry | bytes/entry | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | hits/lookup | recall@5 | hit recall@5 | lost hits | changed | misses/CPU-s | misses/CPU-s, rounds |',
  );
  console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const entries of sizes) {
    for (const layout of layouts) {
      for (const r of await run(layout, entries, dimension, queries ?? defaultQueries(entries))) {
        results.push(r);
        console.log(
          `| ${r.layout} | ${r.entries.toLocaleString('en')} | ${r.index} | ${r.graphContexts} | ` +
            `${r.buildSeconds.toFixed(1)} (${r.linkSeconds.toFixed(1)}) | ${r.buildCpuUsPerEntry} | ${r.bytesPerEntry} | ${r.p50Ms.toFixed(3)} | ` +
            `${r.p99Ms.toFixed(3)} | ${r.cpuP50Ms.toFixed(3)} | ${r.cpuP99Ms.toFixed(3)} | ${r.hitsPerQuery.toFixed(1)} | ` +
            `${r.recallAt5.toFixed(3)} | ${r.hitRecallAt5.toFixed(3)} | ${r.lostHits} of ${r.referenceHits} | ` +
            `${r.changed} | ${r.missesPerCpuSecond.toLocaleString('en')} | ` +
            `${r.missesPerCpuSecondRounds?.toLocaleString('en') ?? '–'} |`,
        );
      }
      gc();
    }
  }
  const json = argument('json');
  if (json) writeFileSync(json, `${JSON.stringify({ bench: 'l3-lookup', node: process.version, results }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
