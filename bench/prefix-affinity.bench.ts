/**
 * Prefix-affinity routing vs round-robin over 4 replicas of a self-hosted model server whose prefix
 * (KV) cache is an LRU of recent prompt prefixes per replica. Each policy serves the same request
 * sequence from a closed loop of concurrent clients, in virtual time (deterministic: same seed, same
 * numbers): the replicas are simulated, the routing is Strata's own `ReplicaSet` (rendezvous hashing of
 * the stable-prefix hash, bounded load), the same code the gateway runs.
 *
 * Time to first token on a replica = base + prefill of the tokens not in its prefix cache, slowed by
 * the requests it is already serving: `(base + uncachedTokens × prefillPerToken) × (1 + contention × inFlight)`.
 *
 * Usage: npm run build && node dist/bench/prefix-affinity.bench.js [--replicas 4] [--prefixes 128]
 *        [--cache 8] [--clients 16] [--requests 20000] [--epsilon 0.5] [--zipf 0.8] [--seed 7]
 */
import { createHash } from 'node:crypto';
import { ReplicaSet } from '../libs/service-gateway/src/proxy/affinity/replica-set';
import { numberArgument } from './support/args';
import { seeded } from './support/random';

const REPLICAS = numberArgument('replicas', 4);
const PREFIXES = numberArgument('prefixes', 128);
const CACHE_PREFIXES = numberArgument('cache', 8);
const CLIENTS = numberArgument('clients', 16);
const REQUESTS = numberArgument('requests', 20_000);
const EPSILON = numberArgument('epsilon', 0.5);
const ZIPF = numberArgument('zipf', 0.8);
const SEED = numberArgument('seed', 7);

/** The replica model (per request). */
const PREFIX_TOKENS = 2_000;
const QUESTION_TOKENS = 50;
const BASE_MS = 15;
const PREFILL_MS_PER_TOKEN = 0.05;
const CONTENTION = 0.15;
const DECODE_MS = 300;

function zipfSequence(n: number, count: number, s: number, random: () => number): number[] {
  const weights = Array.from({ length: count }, (_, i) => 1 / Math.pow(i + 1, s));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  return Array.from({ length: n }, () => {
    const r = random();
    const i = cumulative.findIndex((c) => r <= c);
    return i === -1 ? count - 1 : i;
  });
}

/** One replica: an LRU of prefixes (its KV cache) and the requests it is serving. */
class SimulatedReplica {
  private readonly lru = new Map<string, true>();
  inFlight = 0;
  served = 0;

  constructor(private readonly capacity: number) {}

  /** Starts a request; returns its time to first token and whether its prefix was cached here. */
  start(prefix: string): { ttftMs: number; hit: boolean } {
    const hit = this.lru.has(prefix);
    this.lru.delete(prefix);
    this.lru.set(prefix, true);
    if (this.lru.size > this.capacity) this.lru.delete(this.lru.keys().next().value as string);
    const uncached = QUESTION_TOKENS + (hit ? 0 : PREFIX_TOKENS);
    const ttftMs = (BASE_MS + uncached * PREFILL_MS_PER_TOKEN) * (1 + CONTENTION * this.inFlight);
    this.inFlight++;
    this.served++;
    return { ttftMs, hit };
  }
}

interface Policy {
  readonly name: string;
  pick(prefixHash: string): { replica: number; release: () => void };
}

function affinity(epsilon: number): Policy {
  const names = Array.from({ length: REPLICAS }, (_, i) => `http://replica-${i}:8000/v1`);
  const set = new ReplicaSet(names, names, epsilon);
  return {
    name: `prefix affinity (ε=${epsilon})`,
    pick(prefixHash) {
      const replica = set.order(prefixHash)[0] ?? 0;
      return { replica, release: set.acquire(replica) };
    },
  };
}

function roundRobin(): Policy {
  let next = 0;
  return {
    name: 'round-robin',
    pick() {
      const replica = next;
      next = (next + 1) % REPLICAS;
      return { replica, release: () => undefined };
    },
  };
}

interface Result {
  readonly policy: string;
  readonly hitRatio: number;
  readonly meanTtftMs: number;
  readonly p95TtftMs: number;
  readonly busiestShare: number;
  readonly makespanS: number;
}

/** Serves the sequence with CLIENTS concurrent clients in virtual time (a client sends its next request when its previous one is done). */
function run(policy: Policy, sequence: readonly number[], prefixHashes: readonly string[]): Result {
  const replicas = Array.from({ length: REPLICAS }, () => new SimulatedReplica(CACHE_PREFIXES));
  const ttfts: number[] = [];
  let hits = 0;
  // Completion events: [time, replica, release]. A small array sorted on insert is plenty for 16 clients.
  const running: { at: number; replica: SimulatedReplica; release: () => void }[] = [];
  let now = 0;
  let sent = 0;
  const send = () => {
    const prefix = prefixHashes[sequence[sent] ?? 0] ?? '';
    sent++;
    const { replica, release } = policy.pick(prefix);
    const chosen = replicas[replica] ?? replicas[0];
    const { ttftMs, hit } = chosen.start(prefix);
    if (hit) hits++;
    ttfts.push(ttftMs);
    running.push({ at: now + ttftMs + DECODE_MS, replica: chosen, release });
    running.sort((a, b) => a.at - b.at);
  };
  for (let c = 0; c < CLIENTS && sent < sequence.length; c++) send();
  while (running.length > 0) {
    const done = running.shift()!;
    now = done.at;
    done.replica.inFlight--;
    done.release();
    if (sent < sequence.length) send();
  }
  ttfts.sort((a, b) => a - b);
  return {
    policy: policy.name,
    hitRatio: hits / sequence.length,
    meanTtftMs: ttfts.reduce((a, b) => a + b, 0) / ttfts.length,
    p95TtftMs: ttfts[Math.floor(ttfts.length * 0.95)] ?? 0,
    busiestShare: Math.max(...replicas.map((r) => r.served)) / sequence.length,
    makespanS: now / 1000,
  };
}

const random = seeded(SEED);
const sequence = zipfSequence(REQUESTS, PREFIXES, ZIPF, random);
// What the gateway routes by: the stable-prefix hash of each request (here, of each distinct system prompt).
const prefixHashes = Array.from({ length: PREFIXES }, (_, i) =>
  createHash('sha256').update(`system prompt ${i}`).digest('hex').slice(0, 16),
);

console.log(
  `${REPLICAS} replicas, LRU prefix cache of ${CACHE_PREFIXES} prefixes each, ${PREFIXES} distinct ${PREFIX_TOKENS}-token prefixes (Zipf s=${ZIPF}), ` +
    `${CLIENTS} concurrent clients, ${REQUESTS} requests, seed ${SEED}`,
);
const results = [
  run(roundRobin(), sequence, prefixHashes),
  run(affinity(EPSILON), sequence, prefixHashes),
  run(affinity(Number.POSITIVE_INFINITY), sequence, prefixHashes),
];
console.log('| policy | prefix-cache hit ratio | mean TTFT | p95 TTFT | busiest replica share | virtual makespan |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.policy} | ${(r.hitRatio * 100).toFixed(1)}% | ${r.meanTtftMs.toFixed(1)} ms | ${r.p95TtftMs.toFixed(1)} ms | ${(r.busiestShare * 100).toFixed(1)}% | ${r.makespanS.toFixed(1)} s |`,
  );
}
const [rr, aff] = results;
if (rr && aff)
  console.log(
    `\naffinity / round-robin hit ratio: ${(aff.hitRatio / Math.max(rr.hitRatio, 1e-9)).toFixed(2)}×, mean TTFT ${(rr.meanTtftMs / aff.meanTtftMs).toFixed(2)}× lower`,
  );
