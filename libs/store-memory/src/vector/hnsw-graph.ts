import { type ContextPartition, type PartitionMember } from './context-partition';
import { ScoredHeap } from './scored-heap';
import {
  type CodeDotKernel,
  type DotKernel,
  WASM_MAX_PAGES,
  WASM_PAGE_BYTES,
  type WasmMemory,
  codeBytesOf,
  codeDotKernel,
  codeStrideOf,
  dotKernel,
  dotRows,
  quantize,
  strideOf,
  vectorMemory,
} from './simd-dot';
import { type TopK } from './top-k';

/** Tuning of an `HnswGraph` (Malkov & Yashunin's HNSW). See docs/adr/0006-in-process-ann-index.md for the values. */
export interface HnswOptions {
  /** Links kept per node on the upper levels; level 0 keeps twice as many. */
  readonly m: number;
  /** Width of the search that picks a new node's neighbours. */
  readonly efConstruction: number;
  /** Width of a lookup's search on level 0 (at least the lookup's limit). */
  readonly efSearch: number;
  /** Seed of the level draws, so a graph built from the same inserts is the same graph. */
  readonly seed: number;
}

export const DEFAULT_HNSW_OPTIONS: HnswOptions = { m: 16, efConstruction: 100, efSearch: 192, seed: 0x5eed };

/** Node states. A free node holds nothing; a pending one is stored but not yet linked into the graph. */
const FREE = 0;
const PENDING = 1;
const LINKED = 2;
/** Removed after it was linked: still routes searches (its links stay) until its storage is reused. */
const DELETED = 3;

const MAX_LEVEL = 16;
const MIN_CAPACITY = 64;
/**
 * Graphs smaller than this are not renumbered by `reorderIfDue` (below it the arrays fit the caches and a renumbering
 * would come round often; at 10k nodes it still saved 18 % of a miss's CPU: bench/README.md, "L3 lookup", session 13).
 */
export const REORDER_MIN_NODES = 8_192;
/** Row 0 of the vector memories holds the query of the search under way; node n is row n + 1. */
const QUERY_ROW = 0;
/** Added to the int8 error bound (`quantizationError`) for the float rounding of scales, norms and sums. */
const BOUND_SLACK = 1e-5;

/**
 * The approximate partition: an HNSW graph over the unit vectors of one large search context, in typed arrays; the
 * vectors themselves in a WebAssembly memory, and beside them their int8 codes (`quantize`, one scale per vector) in a
 * second one, where SIMD kernels (`simd-dot.ts`) compute the distances in place. The graph is built and walked on the
 * int8 codes (a quarter of the bytes per distance, which is where the time goes once the vectors outgrow the CPU's
 * caches); the `efSearch` nodes a lookup ends with are re-ranked on the float32 vectors.
 *
 * Nodes have stable ids (a member's position); a removed node's id is reused by a later append. Appends are stored
 * at once and *pending* until `linkNext` links them into the graph (the caller does it off the request path, in
 * slices); a search scans pending nodes exactly and walks the graph for the rest, so a new entry is findable from
 * the moment it is appended. Removal is O(1): a removed node stays in the graph as a tombstone that routes searches
 * but is never returned, until an append reuses its storage (its old in-links then lead to the new vector, and
 * neighbour lists drop tombstones first when they overflow). Expired members are routed through and reported,
 * never returned. Scores are exact dot products of the stored float32 vectors, as in the exact scan (the re-rank
 * computes them); only which members are looked at is approximate.
 */
export class HnswGraph<M extends PartitionMember> implements ContextPartition<M> {
  private readonly m: number;
  private readonly m0: number;
  private readonly efConstruction: number;
  /** Width of a lookup's search on level 0 (at least the lookup's limit); can be changed at any time. */
  efSearch: number;
  /**
   * Whether a lookup with a score floor re-ranks only the nodes whose int8 score could reach it (`search`); false
   * re-ranks every node the walk ends with, as before the bound: for benchmarks, the results are the same.
   */
  boundedRerank = true;
  private readonly levelScale: number;
  private random: number;

  private capacity = 0;
  /** Floats per row (the dimension padded to whole SIMD lanes) and bytes per row. */
  private readonly stride: number;
  private readonly rowBytes: number;
  /** The unit vectors, row by row, in WebAssembly memory so that `dot` (SIMD) reads them in place. */
  private readonly memory: WasmMemory;
  private readonly dot: DotKernel;
  /** A view of `memory` (replaced when it grows). */
  private vectors = new Float32Array(0);
  /** Bytes per int8 row, and of its codes (the scale, a float32, follows them: `codeStrideOf`). */
  private readonly codeStride: number;
  private readonly codeBytes: number;
  /** The int8 codes of the vectors, row by row like `memory`, and the kernel over them. */
  private readonly codeMemory: WasmMemory;
  private readonly dotCodes: CodeDotKernel;
  /** A view of `codeMemory` (replaced when it grows). */
  private codes = new Int8Array(0);
  /** Float32 view of `codeMemory`, to write each row's scale (`quantize`) after its codes. */
  private codeScales = new Float32Array(0);
  private expiries = new Float64Array(0);
  private states = new Uint8Array(0);
  private levels = new Uint8Array(0);
  /** Level-0 links: per node, a count then up to `m0` node ids. */
  private links0 = new Int32Array(0);
  /** Links of levels 1..level, per node with a level above 0: per level a count then up to `m` ids. */
  private readonly upper: (Int32Array | undefined)[] = [];
  private readonly members: (M | undefined)[] = [];
  /** Per node, the mark of the last search that visited it (16 bits: cleared once per 65,535 searches). */
  private visited = new Uint16Array(0);
  private visitMark = 0;
  /** Index of each pending node in `pending` (swap-removed). */
  private pendingAt = new Int32Array(0);
  private readonly pending: number[] = [];
  private readonly free: number[] = [];

  private highWater = 0;
  private stored = 0;
  /** Nodes linked since the graph was last renumbered (`reorderIfDue`). */
  private linkedSinceReorder = 0;
  private entry = -1;
  private topLevel = -1;

  private readonly candidates = ScoredHeap.best();
  private readonly results = ScoredHeap.worst();
  private selectIds = new Int32Array(0);
  private selectScores = new Float64Array(0);
  private reranked = 0;
  /** One node's row of every per-node array, kept aside while `reorder` moves the others. */
  private scratch: ScratchRow<M> | undefined;

  constructor(
    readonly dimension: number,
    options: HnswOptions = DEFAULT_HNSW_OPTIONS,
  ) {
    if (!(options.m >= 2)) throw new RangeError(`m must be at least 2, got ${options.m}`);
    this.m = options.m;
    this.m0 = 2 * options.m;
    this.efConstruction = Math.max(options.efConstruction, options.m);
    this.efSearch = Math.max(1, options.efSearch);
    this.levelScale = 1 / Math.log(options.m);
    this.random = options.seed >>> 0 || 1;
    this.stride = strideOf(dimension);
    this.rowBytes = this.stride * 4;
    this.memory = vectorMemory();
    this.dot = dotKernel(this.memory);
    this.codeStride = codeStrideOf(dimension);
    this.codeBytes = codeBytesOf(dimension);
    this.codeMemory = vectorMemory();
    this.dotCodes = codeDotKernel(this.codeMemory);
    this.grow(MIN_CAPACITY);
  }

  get size(): number {
    return this.stored;
  }

  get end(): number {
    return this.highWater;
  }

  /** Bytes of the WebAssembly memories holding the vectors and their codes (outside the JS heap and `arrayBuffers`). */
  get vectorBytes(): number {
    return this.memory.buffer.byteLength + this.codeMemory.buffer.byteLength;
  }

  /** Members stored but not yet linked into the graph. */
  get pendingCount(): number {
    return this.pending.length;
  }

  append(vector: ArrayLike<number>, scale: number, expiresAt: number, member: M): void {
    let node = this.free.pop();
    if (node === undefined) {
      if (this.highWater === this.capacity) this.grow(Math.min(this.capacity * 2, this.maxCapacity()));
      node = this.highWater++;
    }
    const base = (node + 1) * this.stride;
    for (let d = 0; d < this.dimension; d++) this.vectors[base + d] = vector[d] * scale;
    this.encode(base, node + 1);
    this.expiries[node] = expiresAt;
    // A reused tombstone forgets its links: what pointed at it now points at this vector, and is re-pruned later.
    this.links0[node * (this.m0 + 1)] = 0;
    this.upper[node] = undefined;
    this.levels[node] = 0;
    this.states[node] = PENDING;
    this.pendingAt[node] = this.pending.length;
    this.pending.push(node);
    this.members[node] = member;
    member.position = node;
    this.stored++;
  }

  removeAt(position: number): void {
    const state = this.states[position];
    if (state !== PENDING && state !== LINKED) return;
    this.members[position] = undefined;
    this.stored--;
    if (this.stored === 0) {
      this.clear();
      return;
    }
    if (state === PENDING) {
      this.unpend(position);
      this.states[position] = FREE;
      this.free.push(position);
      return;
    }
    this.states[position] = DELETED;
    // The entry point stays a routing tombstone until a higher node replaces it.
    if (position !== this.entry) this.free.push(position);
  }

  memberAt(position: number): M | undefined {
    return this.members[position];
  }

  expiresAt(position: number): number {
    return this.expiries[position];
  }

  /** The stored unit vector at `position` (a view: copy it before the next append). */
  vectorAt(position: number): Float32Array {
    const base = (position + 1) * this.stride;
    return this.vectors.subarray(base, base + this.dimension);
  }

  scoreAt(query: Float32Array, position: number): number {
    return dotRows(query, 0, this.vectors, (position + 1) * this.stride, this.dimension);
  }

  countLive(now: number): number {
    let live = 0;
    for (let node = 0; node < this.highWater; node++) {
      if (this.members[node] !== undefined && this.expiries[node] > now) live++;
    }
    return live;
  }

  /**
   * Pending members are scanned exactly; linked ones are found by a greedy descent and a best-first walk of level 0,
   * `efSearch` wide, on the int8 codes, and the nodes the walk ends with are re-ranked on the float32 vectors. With a
   * score floor (`boundedRerank`), only the nodes whose int8 score is within `quantizationError` of it are re-ranked:
   * the others score below `minScore` for certain, so skipping them changes nothing served, and a miss (most lookups
   * of a cache) re-ranks next to nothing instead of `efSearch` float32 rows.
   */
  search(query: Float32Array, now: number, minScore: number, top: TopK, expired: number[]): void {
    this.vectors.set(query, QUERY_ROW * this.stride);
    for (const node of this.pending) {
      if (this.expiries[node] <= now) {
        expired.push(node);
        continue;
      }
      const score = this.exactScore(node);
      if (score >= minScore && top.accepts(score)) top.offer(score, node);
    }
    this.reranked = 0;
    if (this.entry < 0) return;
    this.encode(QUERY_ROW * this.stride, QUERY_ROW);
    const start = this.descend(QUERY_ROW, 0);
    this.searchLevel(QUERY_ROW, start, Math.max(this.efSearch, top.max), 0, now, expired);
    // The walk ranked by int8 codes; what is served is ranked and filtered by the exact float32 scores.
    const results = this.results;
    const bounded = this.boundedRerank && minScore > -1;
    for (let i = 0; i < results.size; i++) {
      const node = results.nodeAt(i);
      if (bounded && results.scoreAt(i) + this.quantizationError(node) < minScore) continue;
      const score = this.exactScore(node);
      this.reranked++;
      if (score >= minScore && top.accepts(score)) top.offer(score, node);
    }
  }

  /** Float32 scores the last search computed for linked nodes (its re-rank): for tests and benchmarks. */
  get lastReranked(): number {
    return this.reranked;
  }

  /** Links one pending member into the graph; false when none was pending. */
  linkNext(): boolean {
    const node = this.pending.pop();
    if (node === undefined) return false;
    this.link(node);
    return true;
  }

  /**
   * Renumbers the nodes (`reorder`) when the graph has at least `REORDER_MIN_NODES` nodes and has linked half as many
   * again since it was last renumbered (amortised: each node is moved a bounded number of times as the graph grows or
   * churns); true when it did.
   */
  reorderIfDue(): boolean {
    if (this.stored < REORDER_MIN_NODES || this.linkedSinceReorder * 3 < this.stored) return false;
    this.reorder();
    return true;
  }

  /**
   * Renumbers the nodes in breadth-first order of level 0 from the entry point (the rest after them, in their old
   * order), so that a node's neighbours sit near it in every array: a walk's int8 rows, links, states and marks then
   * share cache lines and pages instead of landing at random in memories far larger than the caches (Coleman et al.,
   * "Graph reordering for cache-efficient near neighbor search", 2022). A pure renumbering: the same vectors, links
   * (in the same order) and states under new ids, and each member's `position` updated, so every search visits the
   * same nodes in the same order and answers exactly as before. O(nodes + links), in place.
   */
  reorder(): void {
    const n = this.highWater;
    this.linkedSinceReorder = 0;
    if (n < 2 || this.entry < 0) return;
    const stride0 = this.m0 + 1;
    const { order, renamed } = breadthFirstOrder(this.links0, stride0, this.entry, n);
    // Link targets renamed in place, then every per-node row moved along the permutation's cycles, in place with one
    // row of scratch: copies of the arrays would be ~0.7 GB of transient buffers at 1M nodes, and allocating them
    // is most likely what made the first version take 8.9 s of CPU at 1M, collecting the whole heap (session 13).
    for (let node = 0; node < n; node++) {
      const at = node * stride0;
      const count = this.links0[at];
      for (let i = 1; i <= count; i++) this.links0[at + i] = renamed[this.links0[at + i]];
    }
    const linkStride = this.m + 1;
    for (let node = 0; node < n; node++) {
      const up = this.upper[node];
      if (up === undefined) continue;
      for (let l = 0; l < this.levels[node]; l++) {
        const at = l * linkStride;
        for (let i = 1; i <= up[at]; i++) up[at + i] = renamed[up[at + i]];
      }
    }
    const moved = new Uint8Array(n);
    for (let start = 0; start < n; start++) {
      if (moved[start] === 1) continue;
      moved[start] = 1;
      if (order[start] === start) continue;
      // Position k takes old node order[k]; the cycle ends where order[k] is `start`, whose data was saved.
      this.saveRow(start);
      let k = start;
      for (let from = order[k]; from !== start; from = order[k]) {
        this.moveRow(from, k);
        moved[from] = 1;
        k = from;
      }
      this.restoreRow(k);
    }
    for (let node = 0; node < n; node++) {
      const member = this.members[node];
      if (member !== undefined) member.position = node;
    }
    for (let i = 0; i < this.pending.length; i++) {
      const node = renamed[this.pending[i]];
      this.pending[i] = node;
      this.pendingAt[node] = i;
    }
    for (let i = 0; i < this.free.length; i++) this.free[i] = renamed[this.free[i]];
    this.entry = renamed[this.entry];
    this.visited.fill(0);
    this.visitMark = 0;
  }

  /** Row `from` of every per-node array copied to row `to` (`reorder`). */
  private moveRow(from: number, to: number): void {
    const stride = this.stride;
    this.vectors.copyWithin((to + 1) * stride, (from + 1) * stride, (from + 2) * stride);
    const codeStride = this.codeStride;
    this.codes.copyWithin((to + 1) * codeStride, (from + 1) * codeStride, (from + 2) * codeStride);
    const stride0 = this.m0 + 1;
    this.links0.copyWithin(to * stride0, from * stride0, (from + 1) * stride0);
    this.expiries[to] = this.expiries[from];
    this.states[to] = this.states[from];
    this.levels[to] = this.levels[from];
    this.upper[to] = this.upper[from];
    this.members[to] = this.members[from];
  }

  /** Keeps node `node`'s row aside (`reorder`'s one row of scratch), for `restoreRow`. */
  private saveRow(node: number): void {
    const scratch = this.scratchRow();
    const stride = this.stride;
    scratch.vector.set(this.vectors.subarray((node + 1) * stride, (node + 2) * stride));
    const codeStride = this.codeStride;
    scratch.codes.set(this.codes.subarray((node + 1) * codeStride, (node + 2) * codeStride));
    const stride0 = this.m0 + 1;
    scratch.links.set(this.links0.subarray(node * stride0, (node + 1) * stride0));
    scratch.expiry = this.expiries[node];
    scratch.state = this.states[node];
    scratch.level = this.levels[node];
    scratch.upper = this.upper[node];
    scratch.member = this.members[node];
  }

  /** Writes the row `saveRow` kept aside into row `node`. */
  private restoreRow(node: number): void {
    const scratch = this.scratchRow();
    this.vectors.set(scratch.vector, (node + 1) * this.stride);
    this.codes.set(scratch.codes, (node + 1) * this.codeStride);
    this.links0.set(scratch.links, node * (this.m0 + 1));
    this.expiries[node] = scratch.expiry;
    this.states[node] = scratch.state;
    this.levels[node] = scratch.level;
    this.upper[node] = scratch.upper;
    this.members[node] = scratch.member;
  }

  private scratchRow(): ScratchRow<M> {
    this.scratch ??= {
      vector: new Float32Array(this.stride),
      codes: new Int8Array(this.codeStride),
      links: new Int32Array(this.m0 + 1),
      expiry: 0,
      state: FREE,
      level: 0,
      upper: undefined,
      member: undefined,
    };
    return this.scratch;
  }

  private link(node: number): void {
    this.linkedSinceReorder++;
    const level = this.drawLevel();
    this.levels[node] = level;
    if (level > 0) this.upper[node] = new Int32Array(level * (this.m + 1));
    if (this.entry < 0) {
      this.states[node] = LINKED;
      this.entry = node;
      this.topLevel = level;
      return;
    }
    // The new node's own row is the query: nothing is copied.
    const query = node + 1;
    let start = this.descend(query, level + 1);
    for (let l = Math.min(level, this.topLevel); l >= 0; l--) {
      this.searchLevel(query, start, this.efConstruction, l, Number.NEGATIVE_INFINITY, undefined);
      const count = this.selectFromResults(this.m);
      if (count > 0) start = this.selectIds[0];
      const links = this.linksOf(node, l);
      const at = this.linksAt(node, l);
      links[at] = count;
      for (let i = 0; i < count; i++) links[at + 1 + i] = this.selectIds[i];
      // From the node's own list: addLink reuses the selection buffers when it re-prunes a neighbour's links.
      for (let i = 0; i < count; i++) this.addLink(links[at + 1 + i], node, l);
    }
    this.states[node] = LINKED;
    if (level > this.topLevel) {
      const previous = this.entry;
      this.entry = node;
      this.topLevel = level;
      if (this.states[previous] === DELETED) this.free.push(previous);
    }
  }

  /**
   * Greedy walk from the entry point down to `level` (exclusive of the levels below it); returns where it ended.
   * `query` is the row of the query's codes (`QUERY_ROW`, or a node's row when it is being linked).
   */
  private descend(query: number, level: number): number {
    let current = this.entry;
    let best = this.dotQuery(query, current);
    for (let l = this.topLevel; l >= level && l > 0; l--) {
      let moved = true;
      while (moved) {
        moved = false;
        const links = this.linksOf(current, l);
        const at = this.linksAt(current, l);
        const count = links[at];
        for (let i = 1; i <= count; i++) {
          const next = links[at + i];
          if (!this.routable(next, l)) continue;
          const score = this.dotQuery(query, next);
          if (score > best) {
            best = score;
            current = next;
            moved = true;
          }
        }
      }
    }
    return current;
  }

  /**
   * Best-first search of one level from `start`, keeping the `ef` best acceptable nodes in `results`. Every routable
   * node is walked through; only linked ones are results, and on a lookup (`expired` given) only unexpired ones
   * (expired ones are appended to `expired`).
   */
  private searchLevel(
    query: number,
    start: number,
    ef: number,
    level: number,
    now: number,
    expired: number[] | undefined,
  ): void {
    const candidates = this.candidates;
    const results = this.results;
    const visited = this.visited;
    const mark = this.nextVisitMark();
    candidates.clear();
    results.clear();
    visited[start] = mark;
    const startScore = this.dotQuery(query, start);
    candidates.push(startScore, start);
    if (this.acceptable(start, now, expired)) results.push(startScore, start);
    while (candidates.size > 0) {
      const score = candidates.topScore();
      if (results.size >= ef && score < results.topScore()) break;
      const current = candidates.topNode();
      candidates.pop();
      const links = this.linksOf(current, level);
      const at = this.linksAt(current, level);
      const count = links[at];
      for (let i = 1; i <= count; i++) {
        const next = links[at + i];
        if (visited[next] === mark) continue;
        visited[next] = mark;
        if (!this.routable(next, level)) continue;
        const nextScore = this.dotQuery(query, next);
        if (results.size < ef || nextScore > results.topScore()) {
          candidates.push(nextScore, next);
          if (this.acceptable(next, now, expired)) {
            results.push(nextScore, next);
            if (results.size > ef) results.pop();
          }
        }
      }
    }
  }

  /**
   * HNSW's neighbour heuristic over `results` (the last level search): best first, a candidate is kept unless it is
   * closer to an already kept one than to the base. Leaves the kept ids in `selectIds`, best first; returns how many.
   */
  private selectFromResults(limit: number): number {
    const results = this.results;
    const n = results.size;
    this.ensureSelectCapacity(n);
    for (let i = 0; i < n; i++) {
      this.selectIds[i] = results.nodeAt(i);
      this.selectScores[i] = results.scoreAt(i);
    }
    return this.heuristic(n, limit);
  }

  /** Keeps at most `limit` of the `n` candidates in `selectIds`/`selectScores` (scores are similarity to the base). */
  private heuristic(n: number, limit: number): number {
    const ids = this.selectIds;
    const scores = this.selectScores;
    // Insertion sort, best first: n is at most efConstruction or m0 + 1.
    for (let i = 1; i < n; i++) {
      const id = ids[i];
      const score = scores[i];
      let j = i - 1;
      while (j >= 0 && scores[j] < score) {
        ids[j + 1] = ids[j];
        scores[j + 1] = scores[j];
        j--;
      }
      ids[j + 1] = id;
      scores[j + 1] = score;
    }
    let kept = 0;
    for (let i = 0; i < n && kept < limit; i++) {
      const candidate = ids[i];
      const toBase = scores[i];
      let diverse = true;
      for (let k = 0; k < kept; k++) {
        if (this.dotNodes(candidate, ids[k]) > toBase) {
          diverse = false;
          break;
        }
      }
      if (diverse) {
        ids[kept] = candidate;
        scores[kept] = toBase;
        kept++;
      }
    }
    return kept;
  }

  /** Adds `node` to `from`'s links on `level`, re-pruning them (tombstones first) when full. */
  private addLink(from: number, node: number, level: number): void {
    const links = this.linksOf(from, level);
    const at = this.linksAt(from, level);
    const count = links[at];
    const cap = level === 0 ? this.m0 : this.m;
    if (count < cap) {
      links[at + 1 + count] = node;
      links[at] = count + 1;
      return;
    }
    for (let i = 1; i <= count; i++) {
      if (this.states[links[at + i]] !== LINKED || this.levels[links[at + i]] < level) {
        links[at + i] = node;
        return;
      }
    }
    this.ensureSelectCapacity(count + 1);
    for (let i = 0; i < count; i++) {
      this.selectIds[i] = links[at + 1 + i];
      this.selectScores[i] = this.dotNodes(from, links[at + 1 + i]);
    }
    this.selectIds[count] = node;
    this.selectScores[count] = this.dotNodes(from, node);
    const kept = this.heuristic(count + 1, cap);
    links[at] = kept;
    for (let i = 0; i < kept; i++) links[at + 1 + i] = this.selectIds[i];
  }

  private routable(node: number, level: number): boolean {
    const state = this.states[node];
    return (state === LINKED || state === DELETED) && this.levels[node] >= level;
  }

  private acceptable(node: number, now: number, expired: number[] | undefined): boolean {
    if (this.states[node] !== LINKED) return false;
    if (this.expiries[node] > now) return true;
    expired?.push(node);
    return false;
  }

  private linksOf(node: number, level: number): Int32Array {
    return level === 0 ? this.links0 : (this.upper[node] as Int32Array);
  }

  private linksAt(node: number, level: number): number {
    return level === 0 ? node * (this.m0 + 1) : (level - 1) * (this.m + 1);
  }

  /** Approximate dot product of the query at code row `query` with `node`'s vector, from their int8 codes (SIMD). */
  private dotQuery(query: number, node: number): number {
    const stride = this.codeStride;
    return this.dotCodes(query * stride, (node + 1) * stride, this.codeBytes);
  }

  /**
   * Quantises the float row at `floatBase` into code row `row` and stores its scale after the codes, and after the
   * scale the row's L1 norm (rounded up), for `quantizationError`.
   */
  private encode(floatBase: number, row: number): void {
    const at = row * this.codeStride;
    const scale = quantize(this.vectors, floatBase, this.dimension, this.codes, at);
    const lane = (at + this.codeBytes) >> 2;
    this.codeScales[lane] = scale;
    let l1 = 0;
    for (let d = 0; d < this.dimension; d++) l1 += Math.abs(this.vectors[floatBase + d]);
    this.codeScales[lane + 1] = l1 * (1 + 1e-6);
  }

  /**
   * Most the int8 score of the query (row 0) against `node` can differ from their exact score. With x = s·q + e per
   * vector (codes q, scale s, |e| ≤ s/2 per dimension), a·b − sa·sb·(qa·qb) = a·eb + ea·b − ea·eb, so the difference
   * is at most (|a|₁·sb + |b|₁·sa) / 2 + d·sa·sb / 4 (about 0.02–0.03 for 100-d unit vectors), plus `BOUND_SLACK`.
   */
  private quantizationError(node: number): number {
    const scales = this.codeScales;
    const query = (QUERY_ROW * this.codeStride + this.codeBytes) >> 2;
    const lane = ((node + 1) * this.codeStride + this.codeBytes) >> 2;
    const queryScale = scales[query];
    const scale = scales[lane];
    return (
      (scales[query + 1] * scale + scales[lane + 1] * queryScale) / 2 +
      (this.dimension * queryScale * scale) / 4 +
      BOUND_SLACK
    );
  }

  private dotNodes(a: number, b: number): number {
    return this.dotQuery(a + 1, b);
  }

  /** Exact dot product of the query in float row 0 with `node`'s float32 vector (SIMD): the score served. */
  private exactScore(node: number): number {
    return this.dot(QUERY_ROW * this.rowBytes, (node + 1) * this.rowBytes, this.rowBytes);
  }

  /** Level of a new node: floor(-ln(U) / ln(m)), so each level holds about 1/m of the one below. */
  private drawLevel(): number {
    // xorshift32
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    const uniform = (this.random + 1) / 4_294_967_297;
    return Math.min(MAX_LEVEL, Math.floor(-Math.log(uniform) * this.levelScale));
  }

  private nextVisitMark(): number {
    this.visitMark = (this.visitMark + 1) & 0xffff;
    if (this.visitMark === 0) {
      this.visited.fill(0);
      this.visitMark = 1;
    }
    return this.visitMark;
  }

  private unpend(node: number): void {
    const index = this.pendingAt[node];
    const last = this.pending.pop() as number;
    if (last !== node) {
      this.pending[index] = last;
      this.pendingAt[last] = index;
    }
  }

  private ensureSelectCapacity(n: number): void {
    if (this.selectIds.length >= n) return;
    this.selectIds = new Int32Array(Math.max(n, this.selectIds.length * 2));
    this.selectScores = new Float64Array(this.selectIds.length);
  }

  /** Most nodes the vector memory can hold: a wasm32 memory ends at 4 GiB (~10M rows at 100 dimensions). */
  private maxCapacity(): number {
    return Math.floor((WASM_MAX_PAGES * WASM_PAGE_BYTES) / this.rowBytes) - 1;
  }

  private grow(capacity: number): void {
    if (capacity <= this.capacity) {
      throw new RangeError(
        `one context cannot hold more than ${this.capacity.toLocaleString('en')} vectors of ${this.dimension} ` +
          'dimensions in process (4 GiB of WebAssembly memory); a context this large belongs in Qdrant',
      );
    }
    try {
      growTo(this.memory, (capacity + 1) * this.rowBytes);
      growTo(this.codeMemory, (capacity + 1) * this.codeStride);
    } catch (error) {
      throw new RangeError(
        `no memory for ${capacity.toLocaleString('en')} vectors of ${this.dimension} dimensions in one context: ` +
          (error as Error).message,
      );
    }
    this.vectors = new Float32Array(this.memory.buffer);
    this.codes = new Int8Array(this.codeMemory.buffer);
    this.codeScales = new Float32Array(this.codeMemory.buffer);
    const expiries = new Float64Array(capacity);
    expiries.set(this.expiries);
    this.expiries = expiries;
    const states = new Uint8Array(capacity);
    states.set(this.states);
    this.states = states;
    const levels = new Uint8Array(capacity);
    levels.set(this.levels);
    this.levels = levels;
    const links0 = new Int32Array(capacity * (this.m0 + 1));
    links0.set(this.links0);
    this.links0 = links0;
    const pendingAt = new Int32Array(capacity);
    pendingAt.set(this.pendingAt);
    this.pendingAt = pendingAt;
    this.visited = new Uint16Array(capacity);
    this.visitMark = 0;
    this.capacity = capacity;
  }

  private clear(): void {
    this.highWater = 0;
    this.entry = -1;
    this.topLevel = -1;
    this.pending.length = 0;
    this.free.length = 0;
    this.members.length = 0;
    this.upper.length = 0;
    this.states.fill(FREE);
  }
}

/**
 * Node ids in breadth-first order of the level-0 links from `entry`, then the nodes it does not reach in id order:
 * `order` maps new ids to old, `renamed` old ids to new.
 */
function breadthFirstOrder(
  links0: Int32Array,
  stride0: number,
  entry: number,
  n: number,
): { order: Int32Array; renamed: Int32Array } {
  const order = new Int32Array(n);
  const renamed = new Int32Array(n).fill(-1);
  let placed = 0;
  renamed[entry] = placed;
  order[placed++] = entry;
  for (let head = 0; head < placed; head++) {
    const at = order[head] * stride0;
    const count = links0[at];
    for (let i = 1; i <= count; i++) {
      const next = links0[at + i];
      if (renamed[next] >= 0) continue;
      renamed[next] = placed;
      order[placed++] = next;
    }
  }
  for (let old = 0; old < n; old++) {
    if (renamed[old] >= 0) continue;
    renamed[old] = placed;
    order[placed++] = old;
  }
  return { order, renamed };
}

/** One node's row of every per-node array (`HnswGraph.reorder`'s scratch). */
interface ScratchRow<M> {
  readonly vector: Float32Array;
  readonly codes: Int8Array;
  readonly links: Int32Array;
  expiry: number;
  state: number;
  level: number;
  upper: Int32Array | undefined;
  member: M | undefined;
}

/** Grows `memory` to hold at least `bytes`. */
function growTo(memory: WasmMemory, bytes: number): void {
  const needed = Math.ceil(bytes / WASM_PAGE_BYTES) - memory.buffer.byteLength / WASM_PAGE_BYTES;
  if (needed > 0) memory.grow(needed);
}
