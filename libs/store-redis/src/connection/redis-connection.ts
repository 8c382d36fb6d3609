import { createClient, createCluster } from 'redis';
import { type LuaScript } from './lua-script';

/** A node-redis client of a single Redis server. */
type RedisClient = ReturnType<typeof createClient>;
/** A node-redis Redis Cluster client. */
type RedisClusterClient = ReturnType<typeof createCluster>;

/**
 * The commands the adapters use: key-routed ones only, so the same code runs on one server and on a
 * Redis Cluster (where each is sent to the node that owns its first key).
 */
type RedisCommands = Pick<
  RedisClient,
  | 'hGet'
  | 'hmGet'
  | 'hGetAll'
  | 'hLen'
  | 'sAdd'
  | 'sMembers'
  | 'sRem'
  | 'exists'
  | 'set'
  | 'get'
  | 'mGet'
  | 'unlink'
  | 'zCard'
>;

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`): one Redis server. */
  readonly url?: string;
  /**
   * Redis Cluster seed nodes (`redis://host:port`, any subset of the cluster); when given, `url` is not
   * used. The topology is discovered from them and rediscovered after a node fails (failover).
   */
  readonly clusterNodes?: readonly string[];
  /** A command not answered within this time rejects (Redis hung, network partition). Default 1000. */
  readonly commandTimeoutMs?: number;
  /** One connection attempt gives up after this time. Default 2000. */
  readonly connectTimeoutMs?: number;
  /** Longest wait between reconnection attempts while Redis is unreachable. Default 2000. */
  readonly maxReconnectDelayMs?: number;
  /**
   * Circuit breaker: after this many commands in a row time out, every command fails at once with
   * `RedisUnavailableError` until a probe (one command let through after `breakerCooldownMs`) is
   * answered. Default 3.
   */
  readonly breakerThreshold?: number;
  /** How long the breaker stays open before it lets one probe through. Default: the command timeout. */
  readonly breakerCooldownMs?: number;
  /** Commands in flight beyond which new ones fail at once (a slow Redis must not queue without bound). Default 2000. */
  readonly maxInFlight?: number;
  /**
   * Connection errors: one per failed attempt while Redis is unreachable. Wire it to the logger; errors
   * of individual commands are not reported here, they reject the command.
   */
  readonly onError?: (error: Error) => void;
}

/** Redis did not answer a command in time. */
export class RedisTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/** A command was refused without being sent: the connection is down, the breaker is open, or too many are in flight. */
export class RedisUnavailableError extends Error {
  constructor(reason = 'Redis is unreachable (reconnecting)') {
    super(reason);
    this.name = 'RedisUnavailableError';
  }
}

/** Least time between two topology rediscoveries of a cluster. */
const REDISCOVER_INTERVAL_MS = 500;

/**
 * One node-redis client (or Redis Cluster client) set up to fail fast, so that a Redis that is down or
 * hung costs callers a bounded wait, never a pile-up:
 * - no offline queue: while Redis is unreachable every command rejects at once, and the client keeps
 *   reconnecting in the background with a capped backoff;
 * - every command has a deadline (`commandTimeoutMs`);
 * - a circuit breaker: after `breakerThreshold` timeouts in a row (a hung server, a partition that keeps
 *   the socket open) commands are refused at once until a probe is answered;
 * - at most `maxInFlight` commands outstanding.
 * Opening never waits for Redis: a service boots with Redis down and becomes ready when it comes up.
 * A cluster connection rediscovers the topology when a node fails, so a failover is followed within a
 * few hundred milliseconds of the promotion.
 */
export class RedisConnection {
  private single: RedisClient | undefined;
  private cluster: RedisClusterClient | undefined;
  /** Cluster clients replaced by a rediscovery, closed once the commands they carry are done. */
  private readonly retired = new Set<RedisClusterClient>();
  private clusterReady = false;
  private closed = false;
  private rediscovering: Promise<void> | undefined;
  private lastRediscovery = 0;
  private readonly commandTimeoutMs: number;
  private readonly breakerThreshold: number;
  private readonly breakerCooldownMs: number;
  private readonly maxInFlight: number;
  private readonly onError: (error: Error) => void;
  private consecutiveTimeouts = 0;
  private openUntil = 0;
  private probing = false;
  private inFlight = 0;
  private readonly readyWaiters = new Set<() => void>();

  private constructor(private readonly options: RedisConnectionOptions) {
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
    this.breakerThreshold = options.breakerThreshold ?? 3;
    this.breakerCooldownMs = options.breakerCooldownMs ?? this.commandTimeoutMs;
    this.maxInFlight = options.maxInFlight ?? 2_000;
    const onError = options.onError ?? (() => undefined);
    this.onError = (error: unknown) => onError(error instanceof Error ? error : new Error(String(error)));
  }

  /** Starts connecting (and reconnecting for as long as it takes) without waiting. */
  static open(options: RedisConnectionOptions): RedisConnection {
    const connection = new RedisConnection(options);
    if (options.clusterNodes && options.clusterNodes.length > 0) {
      connection.rediscover();
    } else {
      if (!options.url) throw new Error('RedisConnection needs a url or clusterNodes');
      connection.openSingle(options.url);
    }
    return connection;
  }

  get isCluster(): boolean {
    return this.options.clusterNodes !== undefined && this.options.clusterNodes.length > 0;
  }

  /** True when `other` was opened to the same Redis: the same URL, or the same cluster seed nodes. */
  sameServerAs(other: RedisConnection): boolean {
    const seeds = (connection: RedisConnection) => [...(connection.options.clusterNodes ?? [])].sort().join(' ');
    return other === this || (other.options.url === this.options.url && seeds(other) === seeds(this));
  }

  /** The client of a single-server connection (tests, tools); a cluster connection has none. */
  get client(): RedisClient {
    if (!this.single) throw new Error('a Redis Cluster connection has no single client; use run()');
    return this.single;
  }

  /** What redis-om's `Repository` takes: the client or the cluster client currently in use. */
  get native(): RedisClient | RedisClusterClient {
    const native = this.single ?? this.cluster;
    if (!native) throw new RedisUnavailableError();
    return native;
  }

  get isReady(): boolean {
    return this.single ? this.single.isReady : this.clusterReady;
  }

  /** Resolves once connected; rejects after `timeoutMs`. For start-up scripts and tests. */
  async whenReady(timeoutMs: number): Promise<void> {
    if (this.isReady) return;
    let onReady = (): void => undefined;
    try {
      await this.deadline(
        new Promise<void>((resolve) => {
          onReady = resolve;
          this.readyWaiters.add(onReady);
        }),
        timeoutMs,
      );
    } finally {
      this.readyWaiters.delete(onReady);
    }
  }

  /**
   * Runs one operation with the command deadline. Rejects at once (`RedisUnavailableError`) while the
   * connection is down, the breaker is open or too many commands are in flight.
   */
  run<T>(operation: (client: RedisCommands) => Promise<T>): Promise<T> {
    const client = this.single ?? this.cluster;
    if (!client || !this.isReady) return Promise.reject(new RedisUnavailableError());
    const now = Date.now();
    let probe = false;
    if (this.openUntil > 0) {
      if (now < this.openUntil || this.probing)
        return Promise.reject(
          new RedisUnavailableError(`Redis circuit open after ${this.breakerThreshold} timeouts in a row`),
        );
      this.probing = probe = true;
    }
    if (this.inFlight >= this.maxInFlight)
      return Promise.reject(new RedisUnavailableError(`${this.inFlight} Redis commands in flight`));
    this.inFlight++;
    return this.deadline(operation(client), this.commandTimeoutMs).then(
      (value) => {
        this.inFlight--;
        this.consecutiveTimeouts = 0;
        this.openUntil = 0;
        if (probe) this.probing = false;
        return value;
      },
      (error: unknown) => {
        this.inFlight--;
        if (probe) this.probing = false;
        if (error instanceof RedisTimeoutError) {
          this.consecutiveTimeouts++;
          if (probe || this.consecutiveTimeouts >= this.breakerThreshold)
            this.openUntil = Date.now() + this.breakerCooldownMs;
        }
        if (this.cluster && isNodeFailure(error)) this.rediscover();
        throw error;
      },
    );
  }

  /** Runs a Lua script like `run` runs an operation (deadline, breaker), on the node owning `keys[0]`. */
  script(script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
    return this.run(() => script.run((command, firstKey) => this.send(command, firstKey), keys, args));
  }

  /**
   * Waits until the writes sent so far to the node owning `key` reached `replicas` replicas, or
   * `timeoutMs` passed (a master whose replicas are gone still answers); returns how many acknowledged.
   * On a single server without replicas it returns 0 at once.
   */
  async waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number> {
    return Number(await this.run(() => this.send(['WAIT', String(replicas), String(timeoutMs)], key)));
  }

  async ping(): Promise<void> {
    if (this.single) {
      const single = this.single;
      await this.run(() => single.ping());
      return;
    }
    const cluster = this.cluster;
    if (!cluster || !this.isReady) throw new RedisUnavailableError();
    // Every master must answer: a slot range without a reachable master is an outage for its tenants.
    await this.run(() => Promise.all(cluster.masters.map(async (node) => (await cluster.nodeClient(node)).ping())));
  }

  /** `INFO <section>` of every master (a single server: its own), for operators' figures. */
  async info(section: string): Promise<string[]> {
    if (this.single) {
      const single = this.single;
      return [await this.run(() => single.info(section))];
    }
    const cluster = this.cluster;
    if (!cluster || !this.isReady) throw new RedisUnavailableError();
    return this.run(() =>
      Promise.all(cluster.masters.map(async (node) => (await cluster.nodeClient(node)).info(section))),
    );
  }

  /** Every key matching a glob pattern, on every master. For tests and tools, not for request paths. */
  async *scan(pattern: string): AsyncGenerator<string> {
    const cluster = this.cluster;
    const clients = this.single
      ? [this.single]
      : await Promise.all((cluster?.masters ?? []).map(async (node) => cluster?.nodeClient(node)));
    for (const client of clients) {
      if (client) for await (const key of client.scanIterator({ MATCH: pattern, COUNT: 1_000 })) yield key;
    }
  }

  /** Quits gracefully when connected, drops the sockets otherwise (a QUIT cannot be sent while offline). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.single) {
      if (!this.single.isOpen) return;
      if (this.single.isReady) await this.single.quit();
      else await this.single.disconnect();
      return;
    }
    await this.rediscovering?.catch(() => undefined);
    const clusters = [...this.retired, ...(this.cluster ? [this.cluster] : [])];
    this.cluster = undefined;
    this.clusterReady = false;
    this.retired.clear();
    await Promise.all(clusters.map((cluster) => cluster.disconnect().catch(() => undefined)));
  }

  private send(command: string[], firstKey: string | undefined): Promise<unknown> {
    if (this.single) return this.single.sendCommand(command);
    if (this.cluster) return this.cluster.sendCommand(firstKey, false, command);
    return Promise.reject(new RedisUnavailableError());
  }

  private socketOptions(): { connectTimeout: number; reconnectStrategy: (retries: number) => number } {
    const maxDelay = this.options.maxReconnectDelayMs ?? 2_000;
    return {
      connectTimeout: this.options.connectTimeoutMs ?? 2_000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxDelay),
    };
  }

  private openSingle(url: string): void {
    const client = createClient({ url, disableOfflineQueue: true, socket: this.socketOptions() });
    // node-redis emits 'error' for every failed (re)connection; without a listener that would crash the process.
    client.on('error', this.onError);
    client.on('ready', () => this.signalReady());
    this.single = client;
    // Rejects only when closed before the first connection succeeded; failures are reported via onError.
    client.connect().catch(() => undefined);
  }

  /**
   * (Re)discovers the cluster from the seed nodes into a new cluster client and swaps it in, closing the
   * old one. node-redis follows MOVED/ASK by itself but keeps sending to a master that died; a failed
   * node therefore triggers this (at most every `REDISCOVER_INTERVAL_MS`), and it retries until a seed
   * node answers.
   */
  private rediscover(): void {
    if (this.closed || this.rediscovering) return;
    const wait = Math.max(0, this.lastRediscovery + REDISCOVER_INTERVAL_MS - Date.now());
    this.rediscovering = new Promise<void>((resolve) => setTimeout(resolve, wait).unref())
      .then(() => this.discover())
      .finally(() => {
        this.lastRediscovery = Date.now();
        this.rediscovering = undefined;
      });
  }

  private async discover(): Promise<void> {
    if (this.closed) return;
    const cluster = createCluster({
      rootNodes: (this.options.clusterNodes ?? []).map((url) => ({ url })),
      // Eager: node-redis 4.7 answers concurrent first commands to lazily connected nodes with MOVED.
      minimizeConnections: false,
      // A node client does not reconnect by itself: a lost node means a new topology (rediscovery), and a
      // discovery that lists a dead master fails at once instead of waiting for it.
      defaults: {
        disableOfflineQueue: true,
        socket: { connectTimeout: this.options.connectTimeoutMs ?? 2_000, reconnectStrategy: false },
      },
    });
    cluster.on('error', (error: unknown) => {
      this.onError(error instanceof Error ? error : new Error(String(error)));
      if (cluster === this.cluster && isNodeFailure(error)) this.rediscover();
    });
    try {
      await this.deadline(cluster.connect(), this.options.connectTimeoutMs ?? 2_000);
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
      cluster.disconnect().catch(() => undefined);
      // A master that just died is still listed until its replica is promoted: try again shortly.
      if (!this.closed) setTimeout(() => this.rediscover(), REDISCOVER_INTERVAL_MS).unref();
      return;
    }
    if (this.closed) {
      await cluster.disconnect().catch(() => undefined);
      return;
    }
    const old = this.cluster;
    this.cluster = cluster;
    this.clusterReady = true;
    this.signalReady();
    // Commands already sent through the old client finish (or time out) before it is closed.
    if (old) {
      this.retired.add(old);
      setTimeout(() => {
        this.retired.delete(old);
        old.disconnect().catch(() => undefined);
      }, this.commandTimeoutMs * 2).unref();
    }
  }

  private signalReady(): void {
    for (const resolve of this.readyWaiters) resolve();
  }

  private deadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeoutError(timeoutMs)), timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

/**
 * An error that means a node is gone or no longer a master (not a slow answer, not a script or data
 * error; MOVED and ASK are followed by node-redis itself).
 */
function isNodeFailure(error: unknown): boolean {
  // Not `instanceof Error`: socket errors may come from another realm (Node's own, under a test runner).
  if (typeof error !== 'object' || error === null || error instanceof RedisTimeoutError) return false;
  const { name, message } = error as { name?: unknown; message?: unknown };
  return /ECONNREFUSED|ECONNRESET|EPIPE|closed|offline|Socket|CLUSTERDOWN|READONLY|MASTERDOWN/i.test(
    `${String(name)} ${String(message)}`,
  );
}
