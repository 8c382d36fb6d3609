import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  readonly url: string;
  /** A command not answered within this time rejects (Redis hung, network partition). Default 1000. */
  readonly commandTimeoutMs?: number;
  /** One connection attempt gives up after this time. Default 2000. */
  readonly connectTimeoutMs?: number;
  /** Longest wait between reconnection attempts while Redis is unreachable. Default 2000. */
  readonly maxReconnectDelayMs?: number;
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

/** A command was issued while the connection was down; nothing was sent. */
export class RedisUnavailableError extends Error {
  constructor() {
    super('Redis is unreachable (reconnecting)');
    this.name = 'RedisUnavailableError';
  }
}

/**
 * One node-redis client set up to fail fast: while Redis is unreachable every command rejects at once
 * (no offline queue) and the client keeps reconnecting in the background with a capped backoff, so
 * callers can skip the tier and pick it up again when Redis returns. Opening never waits for Redis:
 * a service boots with Redis down and becomes ready when it comes up.
 */
export class RedisConnection {
  readonly client: RedisClient;
  private readonly commandTimeoutMs: number;

  private constructor(options: RedisConnectionOptions) {
    const maxDelay = options.maxReconnectDelayMs ?? 2_000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 1_000;
    this.client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs ?? 2_000,
        reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), maxDelay),
      },
    });
    const onError = options.onError ?? (() => undefined);
    // node-redis emits 'error' for every failed (re)connection; without a listener that would crash the process.
    this.client.on('error', (error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  }

  /** Starts connecting (and reconnecting for as long as it takes) without waiting. */
  static open(options: RedisConnectionOptions): RedisConnection {
    const connection = new RedisConnection(options);
    // Rejects only when closed before the first connection succeeded; failures are reported via onError.
    connection.client.connect().catch(() => undefined);
    return connection;
  }

  get isReady(): boolean {
    return this.client.isReady;
  }

  /** Resolves once connected; rejects after `timeoutMs`. For start-up scripts and tests. */
  async whenReady(timeoutMs: number): Promise<void> {
    if (this.client.isReady) return;
    let onReady = (): void => undefined;
    try {
      await this.deadline(
        new Promise<void>((resolve) => {
          onReady = resolve;
          this.client.once('ready', onReady);
        }),
        timeoutMs,
      );
    } finally {
      this.client.off('ready', onReady);
    }
  }

  /** Runs one operation with the command deadline; rejects at once while the connection is down. */
  run<T>(operation: (client: RedisClient) => Promise<T>): Promise<T> {
    if (!this.client.isReady) return Promise.reject(new RedisUnavailableError());
    return this.deadline(operation(this.client), this.commandTimeoutMs);
  }

  async ping(): Promise<void> {
    await this.run((client) => client.ping());
  }

  /** Quits gracefully when connected, drops the socket otherwise (a QUIT cannot be sent while offline). */
  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    if (this.client.isReady) {
      await this.client.quit();
    } else {
      await this.client.disconnect();
    }
  }

  private deadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeoutError(timeoutMs)), timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
