import { type Socket } from 'node:net';
import { type BrokerLogger } from '../broker-logger';
import { ProtocolError } from '../protocol/protocol-error';
import { type RequestDispatcher } from '../protocol/request-dispatcher';
import { FrameReader } from './frame-reader';

/** Kafka's socket.request.max.bytes default. */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

/**
 * One client connection. Requests are handled one at a time in arrival order and answered in that order, as a
 * Kafka broker does per connection; a long-polling Fetch therefore holds only its own connection (kafkajs
 * sends fetches on a dedicated one). A request that cannot be parsed or routed closes the connection.
 */
export class BrokerConnection {
  private readonly frames = new FrameReader(MAX_REQUEST_BYTES);
  private readonly queue: Buffer[] = [];
  private processing = false;
  private readonly clientHost: string;

  constructor(
    private readonly socket: Socket,
    private readonly dispatcher: RequestDispatcher,
    private readonly logger: BrokerLogger,
  ) {
    this.clientHost = `/${socket.remoteAddress ?? 'unknown'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.logger('debug', `connection from ${this.describe()} failed: ${error.message}`));
    socket.on('close', () => this.logger('debug', `connection from ${this.describe()} closed`));
    this.logger('debug', `connection from ${this.describe()} opened`);
  }

  private onData(chunk: Buffer): void {
    try {
      for (const frame of this.frames.push(chunk)) this.queue.push(frame);
    } catch (error) {
      this.fail(error);
      return;
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      let frame: Buffer | undefined;
      while (!this.socket.destroyed && (frame = this.queue.shift()) !== undefined) {
        const response = await this.dispatcher.dispatch(frame, { clientHost: this.clientHost });
        if (response && !this.socket.destroyed) this.socket.write(response);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.processing = false;
    }
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger(
      error instanceof ProtocolError ? 'warn' : 'error',
      `closing connection from ${this.describe()}: ${message}`,
    );
    this.queue.length = 0;
    this.socket.destroy();
  }

  private describe(): string {
    return `${this.socket.remoteAddress ?? 'unknown'}:${this.socket.remotePort ?? 0}`;
  }
}
