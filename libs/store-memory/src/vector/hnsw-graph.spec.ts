import { HnswGraph } from './hnsw-graph';
import { TopK } from './top-k';
import { VectorPartition } from './vector-partition';

interface Member {
  readonly id: number;
  position: number;
}

const member = (id: number): Member => ({ id, position: -1 });
const DIM = 24;

/** Deterministic clustered unit vectors: `topics` centroids, members are noisy copies of one of them. */
function clusteredVectors(count: number, topics: number, seed: number): Float32Array[] {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 1) / 4_294_967_297;
  };
  const gaussian = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const centroids = Array.from({ length: topics }, () => Array.from({ length: DIM }, gaussian));
  return Array.from({ length: count }, () => {
    const centroid = centroids[Math.floor(uniform() * topics)];
    const vector = Float32Array.from(centroid, (x) => x + 0.5 * gaussian());
    const norm = Math.hypot(...vector);
    return vector.map((x) => x / norm);
  });
}

function ids<M extends { id: number; position: number }>(
  partition: { memberAt(position: number): M | undefined },
  top: TopK,
): number[] {
  return Array.from({ length: top.count }, (_, rank) => partition.memberAt(top.positionAt(rank))?.id ?? -1);
}

function searchIds(
  partition: HnswGraph<Member> | VectorPartition<Member>,
  query: Float32Array,
  limit: number,
  options: { now?: number; minScore?: number; expired?: number[] } = {},
): number[] {
  const top = new TopK();
  top.reset(limit);
  partition.search(query, options.now ?? 0, options.minScore ?? -1, top, options.expired ?? []);
  return ids(partition, top);
}

/** Mean share of the exact top 5 that the graph also returns. */
function recallAt5(graph: HnswGraph<Member>, exact: VectorPartition<Member>, queries: Float32Array[]): number {
  let found = 0;
  for (const query of queries) {
    const approximate = new Set(searchIds(graph, query, 5));
    found += searchIds(exact, query, 5).filter((id) => approximate.has(id)).length;
  }
  return found / (5 * queries.length);
}

function linkAll(graph: HnswGraph<Member>): void {
  while (graph.linkNext());
}

describe(HnswGraph.name, () => {
  it('finds at least 95% of the exact top 5 among 3,000 clustered vectors', () => {
    const vectors = clusteredVectors(3_000, 60, 1);
    const graph = new HnswGraph<Member>(DIM);
    const exact = new VectorPartition<Member>(DIM);
    vectors.forEach((vector, id) => {
      graph.append(vector, 1, Infinity, member(id));
      exact.append(vector, 1, Infinity, member(id));
    });
    linkAll(graph);

    expect(graph.pendingCount).toBe(0);
    expect(recallAt5(graph, exact, clusteredVectors(200, 60, 2))).toBeGreaterThanOrEqual(0.95);
  });

  it('finds 99% of the exact top 5 among 6,000 unclustered vectors with a narrow search (ef 32)', () => {
    // Unclustered 16-d data has no easy shortcuts: recall depends on every back-link landing where it belongs.
    let state = 7;
    const uniform = (): number => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return ((state >>> 0) + 1) / 4_294_967_297;
    };
    const gaussian = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const unit = (): Float32Array => {
      const vector = Float32Array.from({ length: 16 }, gaussian);
      const norm = Math.hypot(...vector);
      return vector.map((x) => x / norm);
    };
    const vectors = Array.from({ length: 6_000 }, unit);
    const queries = Array.from({ length: 200 }, unit);
    const graph = new HnswGraph<Member>(16, { m: 16, efConstruction: 100, efSearch: 32, seed: 1 });
    const exact = new VectorPartition<Member>(16);
    vectors.forEach((vector, id) => {
      graph.append(vector, 1, Infinity, member(id));
      exact.append(vector, 1, Infinity, member(id));
    });
    linkAll(graph);

    expect(recallAt5(graph, exact, queries)).toBeGreaterThanOrEqual(0.99);
  });

  it('returns exact scores, best first, and nothing below minScore', () => {
    const vectors = clusteredVectors(500, 10, 3);
    const graph = new HnswGraph<Member>(DIM);
    vectors.forEach((vector, id) => graph.append(vector, 1, Infinity, member(id)));
    linkAll(graph);
    const query = vectors[42];
    const top = new TopK();
    top.reset(10);

    graph.search(query, 0, 0.9, top, []);

    expect(top.count).toBeGreaterThan(0);
    expect(graph.memberAt(top.positionAt(0))?.id).toBe(42);
    expect(top.scoreAt(0)).toBeCloseTo(1, 5);
    for (let rank = 0; rank < top.count; rank++) {
      const position = top.positionAt(rank);
      expect(top.scoreAt(rank)).toBeGreaterThanOrEqual(0.9);
      expect(top.scoreAt(rank)).toBe(graph.scoreAt(query, position));
      if (rank > 0) expect(top.scoreAt(rank)).toBeLessThanOrEqual(top.scoreAt(rank - 1));
    }
  });

  it('ranks by the exact float32 scores where the int8 codes of its walk cannot tell members apart', () => {
    // 30 members within 2e-4 of one direction: far below one int8 step (~1/127 of the largest component), so every
    // member has the same codes, yet their float scores against the query differ and decide the order served. Fewer
    // members than level-0 links: each keeps every link it gets, so the walk reaches all of them.
    const base = clusteredVectors(1, 1, 9)[0];
    const near = (i: number): Float32Array => {
      const vector = Float32Array.from(base);
      vector[i % DIM] += 1e-4 * (1 + Math.floor(i / DIM));
      return vector;
    };
    const graph = new HnswGraph<Member>(DIM, { m: 16, efConstruction: 64, efSearch: 64, seed: 3 });
    const exact = new VectorPartition<Member>(DIM);
    for (let id = 0; id < 30; id++) {
      const vector = near(id);
      const scale = 1 / Math.hypot(...vector);
      graph.append(vector, scale, Infinity, member(id));
      exact.append(vector, scale, Infinity, member(id));
    }
    linkAll(graph);
    const query = near(7);
    query[7] += 5e-4;
    const unit = query.map((x) => x / Math.hypot(...query));
    const fromGraph = new TopK();
    const fromScan = new TopK();
    fromGraph.reset(10);
    fromScan.reset(10);

    graph.search(unit, 0, -1, fromGraph, []);
    exact.search(unit, 0, -1, fromScan, []);

    expect(ids(graph, fromGraph)).toEqual(ids(exact, fromScan));
    expect(ids(graph, fromGraph)[0]).toBe(7);
    for (let rank = 0; rank < 10; rank++) expect(fromGraph.scoreAt(rank)).toBe(fromScan.scoreAt(rank));
  });

  it('re-ranks only what could reach minScore, serving exactly what re-ranking every node serves', () => {
    // Half the vectors spiky (one large component, so a coarse int8 step and the largest quantisation errors), and
    // floors at, just above and just below the exact scores served: a bound too tight would drop a member here.
    const vectors = clusteredVectors(3_000, 60, 11).map((vector, id) => {
      if (id % 2 === 0) return vector;
      const spiky = Float32Array.from(vector);
      spiky[id % DIM] += 3;
      const norm = Math.hypot(...spiky);
      return spiky.map((x) => x / norm);
    });
    const graph = new HnswGraph<Member>(DIM);
    vectors.forEach((vector, id) => graph.append(vector, 1, Infinity, member(id)));
    linkAll(graph);
    const served = (query: Float32Array, minScore: number, bounded: boolean): [number[], number[], number] => {
      graph.boundedRerank = bounded;
      const top = new TopK();
      top.reset(10);
      graph.search(query, 0, minScore, top, []);
      return [ids(graph, top), Array.from({ length: top.count }, (_, rank) => top.scoreAt(rank)), graph.lastReranked];
    };
    let compared = 0;
    let rerankedBounded = 0;
    let rerankedAll = 0;

    for (const query of [...clusteredVectors(100, 60, 12), ...vectors.slice(0, 100)]) {
      const [, scores] = served(query, -1, false);
      const floors = [0.5, 0.8, 0.9, 0.97, scores[0], scores[2], scores[9]].flatMap((score) => [
        score,
        score + 1e-9,
        score - 1e-9,
      ]);
      for (const minScore of floors) {
        const [expectedIds, expectedScores, all] = served(query, minScore, false);
        const [gotIds, gotScores, bounded] = served(query, minScore, true);
        expect(gotIds).toEqual(expectedIds);
        expect(gotScores).toEqual(expectedScores);
        compared++;
        rerankedBounded += bounded;
        rerankedAll += all;
      }
    }

    expect(compared).toBe(4_200);
    // Against a floor of 0.5 most of the walk's nodes may still reach it; above 0.8 few do.
    expect(rerankedBounded).toBeLessThan(0.5 * rerankedAll);
  });

  it('re-ranks nothing when nothing the walk found can reach minScore, and everything without a floor', () => {
    const vectors = clusteredVectors(2_000, 40, 13);
    const graph = new HnswGraph<Member>(DIM);
    vectors.forEach((vector, id) => graph.append(vector, 1, Infinity, member(id)));
    linkAll(graph);
    const query = clusteredVectors(1, 40, 14)[0];
    const top = new TopK();
    top.reset(5);

    graph.search(query, 0, 0.999, top, []);
    expect(top.count).toBe(0);
    expect(graph.lastReranked).toBe(0);

    graph.search(query, 0, Number.NEGATIVE_INFINITY, top, []);
    expect(top.count).toBe(5);
    expect(graph.lastReranked).toBe(graph.efSearch);
  });

  it('finds a member from the moment it is appended, before and after it is linked', () => {
    const vectors = clusteredVectors(300, 5, 4);
    const graph = new HnswGraph<Member>(DIM);
    vectors.slice(0, 299).forEach((vector, id) => graph.append(vector, 1, Infinity, member(id)));
    linkAll(graph);
    graph.append(vectors[299], 1, Infinity, member(299));

    expect(graph.pendingCount).toBe(1);
    expect(searchIds(graph, vectors[299], 1)).toEqual([299]);
    linkAll(graph);
    expect(searchIds(graph, vectors[299], 1)).toEqual([299]);
  });

  it('never returns a removed member, and reuses its storage for the next append', () => {
    const vectors = clusteredVectors(400, 8, 5);
    const graph = new HnswGraph<Member>(DIM);
    const members = vectors.map((vector, id) => {
      const m = member(id);
      graph.append(vector, 1, Infinity, m);
      return m;
    });
    linkAll(graph);
    const removed = members[7];
    const freed = removed.position;
    graph.removeAt(freed);

    expect(searchIds(graph, vectors[7], 400)).not.toContain(7);
    const replacement = member(1_000);
    graph.append(vectors[8], 1, Infinity, replacement);
    linkAll(graph);
    expect(replacement.position).toBe(freed);
    expect(graph.size).toBe(400);
    expect(graph.end).toBe(400);
    expect(searchIds(graph, vectors[7], 400)).not.toContain(7);
    expect(searchIds(graph, vectors[8], 2).sort((a, b) => a - b)).toEqual([8, 1_000]);
  });

  it('never returns an expired member and reports the expired ones it came across', () => {
    const vectors = clusteredVectors(200, 4, 6);
    const graph = new HnswGraph<Member>(DIM);
    vectors.forEach((vector, id) => graph.append(vector, 1, id % 2 === 0 ? 100 : 200, member(id)));
    linkAll(graph);
    graph.append(vectors[0], 1, 100, member(1_000));
    const expired: number[] = [];

    const found = searchIds(graph, vectors[0], 200, { now: 100, expired });

    expect(found.length).toBeGreaterThan(0);
    expect(found.every((id) => id % 2 === 1)).toBe(true);
    const expiredIds = expired.map((position) => graph.memberAt(position)?.id ?? -1);
    expect(expiredIds).toContain(1_000);
    expect(expiredIds.every((id) => id % 2 === 0)).toBe(true);
    expect(graph.countLive(100)).toBe(100);
  });

  it('keeps its recall through churn: most of its members replaced by new ones', () => {
    const vectors = clusteredVectors(4_000, 40, 7);
    const graph = new HnswGraph<Member>(DIM);
    const exact = new VectorPartition<Member>(DIM);
    const inGraph = new Map<number, Member>();
    const add = (id: number): void => {
      const m = member(id);
      graph.append(vectors[id], 1, Infinity, m);
      inGraph.set(id, m);
    };
    for (let id = 0; id < 2_000; id++) add(id);
    linkAll(graph);
    // Replace 1,500 of the first 2,000 with the next 2,000, interleaved, linking as a cache would.
    for (let id = 2_000; id < 4_000; id++) {
      if (id < 3_500) {
        const old = inGraph.get(id - 2_000) as Member;
        graph.removeAt(old.position);
        inGraph.delete(id - 2_000);
      }
      add(id);
      graph.linkNext();
    }
    linkAll(graph);
    for (const id of inGraph.keys()) exact.append(vectors[id], 1, Infinity, member(id));

    expect(graph.size).toBe(2_500);
    // Removed storage is reused, except the entry point's while it routes searches.
    expect(graph.end).toBeLessThanOrEqual(2_501);
    expect(recallAt5(graph, exact, clusteredVectors(200, 40, 8))).toBeGreaterThanOrEqual(0.95);
  });

  it('answers exactly as before once renumbered, and keeps removing and reusing by the new positions', () => {
    const vectors = clusteredVectors(3_000, 30, 9);
    const graph = new HnswGraph<Member>(DIM);
    const live = new Map<number, Member>();
    const add = (id: number, expiresAt = Infinity): void => {
      const m = member(id);
      graph.append(vectors[id], 1, expiresAt, m);
      live.set(id, m);
    };
    for (let id = 0; id < 2_000; id++) add(id, id % 7 === 0 ? 50 : Infinity);
    linkAll(graph);
    // Tombstones (removed after linking), reused storage, and members still pending when it is renumbered.
    for (let id = 0; id < 300; id++) {
      graph.removeAt((live.get(id * 3) as Member).position);
      live.delete(id * 3);
    }
    for (let id = 2_000; id < 2_200; id++) add(id);
    linkAll(graph);
    for (let id = 2_200; id < 2_260; id++) add(id);
    const queries = clusteredVectors(60, 30, 10);
    const answer = (query: Float32Array): string => {
      const top = new TopK();
      top.reset(10);
      const expired: number[] = [];
      graph.search(query, 100, 0.2, top, expired);
      const found = Array.from(
        { length: top.count },
        (_, r) => `${graph.memberAt(top.positionAt(r))?.id}:${top.scoreAt(r)}`,
      );
      return `${found.join(',')} expired ${expired.map((p) => graph.memberAt(p)?.id).join(',')}`;
    };
    const before = queries.map(answer);
    const positions = [...live.values()].map((m) => m.position);

    graph.reorder();

    expect(queries.map(answer)).toEqual(before);
    expect([...live.values()].filter((m, i) => m.position !== positions[i]).length).toBeGreaterThan(1_000);
    for (const m of live.values()) expect(graph.memberAt(m.position)).toBe(m);
    for (let id = 1; id < 600; id += 3) {
      graph.removeAt((live.get(id) as Member).position);
      live.delete(id);
    }
    for (let id = 2_260; id < 3_000; id++) add(id);
    linkAll(graph);
    expect(graph.size).toBe(live.size);
    expect(graph.end).toBeLessThanOrEqual(2_501);
    for (const id of [1, 4, 7, 2_300, 2_999]) {
      const found = searchIds(graph, vectors[id], 3);
      if (live.has(id)) expect(found).toContain(id);
      else expect(found).not.toContain(id);
    }
  });

  it('starts afresh once every member is removed', () => {
    const graph = new HnswGraph<Member>(2);
    const members = [member(1), member(2)];
    graph.append([1, 0], 1, Infinity, members[0]);
    graph.append([0, 1], 1, Infinity, members[1]);
    linkAll(graph);
    for (const m of members) graph.removeAt(m.position);

    expect(graph.size).toBe(0);
    expect(graph.end).toBe(0);
    expect(searchIds(graph, Float32Array.from([1, 0]), 5)).toEqual([]);
    graph.append([1, 0], 1, Infinity, member(3));
    expect(searchIds(graph, Float32Array.from([1, 0]), 5)).toEqual([3]);
  });

  it('refuses fewer than 2 links per node', () => {
    expect(() => new HnswGraph<Member>(2, { m: 1, efConstruction: 10, efSearch: 10, seed: 1 })).toThrow(RangeError);
  });
});
