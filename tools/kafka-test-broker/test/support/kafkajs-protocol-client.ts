import { connect, type Socket } from 'node:net';
import encodeRequest from 'kafkajs/src/protocol/request';
import { requests } from 'kafkajs/src/protocol/requests';

/** Sends one complete request frame (size prefix included) and yields the response frame, or null if none is due. */
export type FrameTransport = (frame: Buffer, expectResponse: boolean) => Promise<Buffer | null>;

/**
 * Speaks to the broker with kafkajs' own protocol code at an explicit API version: kafkajs encodes the request
 * and decodes and parses the response (parse throws kafkajs' protocol errors, e.g. `{ type: 'REBALANCE_IN_PROGRESS' }`).
 */
export class KafkajsProtocolClient {
  private correlationId = 0;

  constructor(
    private readonly transport: FrameTransport,
    private readonly clientId = 'protocol-client',
  ) {}

  /** kafkajs' request builder for `apiName` (its name in kafkajs, e.g. `GroupCoordinator` for FindCoordinator). */
  async send<T = Record<string, unknown>>(apiName: string, version: number, ...args: unknown[]): Promise<T> {
    const definition = requests[apiName];
    if (!definition) throw new Error(`kafkajs has no request ${apiName}`);
    const { request, response } = definition.protocol({ version })(...args);
    if (request.apiVersion !== version)
      throw new Error(`kafkajs built ${apiName} v${request.apiVersion}, not v${version}`);
    const correlationId = ++this.correlationId;
    const frame = (await encodeRequest({ correlationId, clientId: this.clientId, request })).buffer;
    const expectResponse = request.expectResponse ? request.expectResponse() : true;
    const reply = await this.transport(frame, expectResponse);
    if (!expectResponse) {
      if (reply !== null) throw new Error(`${apiName} v${version} expected no response`);
      return undefined as T;
    }
    if (reply === null) throw new Error(`${apiName} v${version} got no response`);
    if (reply.readInt32BE(4) !== correlationId) throw new Error('correlation id mismatch');
    return (await response.parse(await response.decode(reply.subarray(8)))) as T;
  }
}

/** A transport over a real TCP connection: requests are pipelined and responses matched in order. */
export class SocketTransport {
  private readonly socket: Socket;
  private buffered = Buffer.alloc(0);
  private readonly waiting: ((frame: Buffer) => void)[] = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(0, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
  }

  static open(host: string, port: number): Promise<SocketTransport> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new SocketTransport(socket)));
      socket.once('error', reject);
    });
  }

  readonly send: FrameTransport = (frame, expectResponse) => {
    const reply = expectResponse ? new Promise<Buffer>((resolve) => this.waiting.push(resolve)) : Promise.resolve(null);
    this.socket.write(frame);
    return reply;
  };

  close(): void {
    this.socket.destroy();
  }
}
