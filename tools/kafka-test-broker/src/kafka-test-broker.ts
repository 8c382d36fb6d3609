import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { BrokerCore } from './broker-core';
import { type BrokerLogger, silentLogger } from './broker-logger';
import { type BrokerNode } from './broker-node';
import { BrokerConnection } from './network/broker-connection';

export interface KafkaTestBrokerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** Host clients are told to connect to (Metadata, FindCoordinator). Default: `host`, or 127.0.0.1 for a wildcard host. */
  readonly advertisedHost?: string;
  /** Create unknown topics on Metadata requests, like Kafka's auto.create.topics.enable. Default true. */
  readonly autoCreateTopics?: boolean;
  /** Partitions of auto-created topics and of CreateTopics without a count (Kafka's num.partitions). Default 1. */
  readonly defaultPartitions?: number;
  /** Broker id, also the controller and coordinator id. Default 1. */
  readonly nodeId?: number;
  /** Default `kafka-test-broker`. */
  readonly clusterId?: string;
  /** Silent by default. */
  readonly logger?: BrokerLogger;
}

/**
 * A single-node Kafka broker in memory that speaks the Kafka wire protocol, for tests and benchmarks only:
 * kafkajs clients and the NestJS Kafka transport connect to `brokers` unchanged. Never used in production.
 *
 * ```ts
 * const broker = await KafkaTestBroker.start();
 * const kafka = new Kafka({ brokers: [broker.brokers] });
 * // ...
 * await broker.stop();
 * ```
 */
export class KafkaTestBroker {
  /** `host:port`, ready for kafkajs' `brokers` option. */
  readonly brokers: string;
  private readonly sockets = new Set<Socket>();
  private stopping: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    private readonly core: BrokerCore,
    readonly host: string,
    readonly port: number,
    readonly nodeId: number,
    logger: BrokerLogger,
  ) {
    this.brokers = `${host}:${port}`;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      new BrokerConnection(socket, core.dispatcher, logger);
    });
  }

  static async start(options: KafkaTestBrokerOptions = {}): Promise<KafkaTestBroker> {
    const port = options.port ?? 0;
    const host = options.host ?? '127.0.0.1';
    const nodeId = options.nodeId ?? 1;
    const defaultPartitions = options.defaultPartitions ?? 1;
    const logger = options.logger ?? silentLogger;
    assertInteger('port', port, 0, 65_535);
    assertInteger('nodeId', nodeId, 0, 2_147_483_647);
    assertInteger('defaultPartitions', defaultPartitions, 1, 100_000);

    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const boundPort = (server.address() as AddressInfo).port;
    const advertisedHost = options.advertisedHost ?? (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);
    const node: BrokerNode = {
      nodeId,
      host: advertisedHost,
      port: boundPort,
      clusterId: options.clusterId ?? 'kafka-test-broker',
    };
    const core = new BrokerCore(
      node,
      { autoCreateTopics: options.autoCreateTopics ?? true, defaultPartitions },
      logger,
    );
    logger('info', `listening on ${host}:${boundPort} as node ${nodeId}, advertised as ${advertisedHost}:${boundPort}`);
    return new KafkaTestBroker(server, core, advertisedHost, boundPort, nodeId, logger);
  }

  /** Closes every connection, ends parked requests and stops listening. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.core.shutdown();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
    return this.stopping;
  }
}

function assertInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`KafkaTestBroker option ${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}
