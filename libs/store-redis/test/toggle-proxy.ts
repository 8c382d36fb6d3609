import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of Redis that tests can break and repair, to simulate Redis going away without
 * touching the shared server: `cut()` refuses and drops connections (Redis down), `stall()` keeps them
 * open but forwards nothing (Redis hung), `restore()` makes it a plain proxy again on the same port.
 */
export class ToggleProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  private readonly held: { socket: Socket; chunk: Buffer }[] = [];

  private constructor(
    private readonly target: { host: string; port: number },
    private listenPort: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<ToggleProxy> {
    const proxy = new ToggleProxy(target, 0);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.listenPort}`;
  }

  /** Redis down: connections are dropped and new ones refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Redis hung: connections stay open, but what clients send is held back. */
  stall(): void {
    this.stalled = true;
  }

  /** Back to a working proxy: held data is forwarded, a cut proxy listens again on its port. */
  async restore(): Promise<void> {
    this.stalled = false;
    for (const { socket, chunk } of this.held.splice(0)) if (!socket.destroyed) socket.write(chunk);
    if (!this.server) await this.listen();
  }

  async stop(): Promise<void> {
    await this.cut();
  }

  private async listen(): Promise<void> {
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    this.listenPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (this.stalled) this.held.push({ socket: upstream, chunk });
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }
}
