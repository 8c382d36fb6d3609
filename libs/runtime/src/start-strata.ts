import { type AddressInfo } from 'node:net';
import { type CustomTransportStrategy, type Server } from '@nestjs/microservices';
import { type INestApplication, type LoggerService, Module, type DynamicModule } from '@nestjs/common';
import { type StrataConfig } from '@strata/config';
import { HealthChecks, OpsModule, PinoNestLogger, StrataMetrics, createLogger } from '@strata/observability';
import { DEFAULT_SIMILARITY_THRESHOLD } from '@strata/semantic';
import { CacheServiceModule } from '@strata/service-cache';
import { EmbeddingServiceModule } from '@strata/service-embedding';
import { GatewayModule } from '@strata/service-gateway';
import { InvalidationServiceModule } from '@strata/service-invalidation';
import { DATA_CHANGES_TOPIC, allTopics } from '@strata/contracts';
import { CACHE_CLIENT, EMBEDDING_CLIENT, EVENTS_CLIENT, INVALIDATION_CLIENT, KafkaAdmin } from '@strata/transport';
import { type Closer, cacheAdapters, embeddingAdapters, invalidationAdapters } from './adapters';
import { createHttpApp } from './http-app';
import { type RunningMetricsServer, startMetricsServer } from './metrics-server';
import { InProcessTransportFactory } from './in-process-transport';
import { KafkaTransportFactory } from './kafka-transport';
import { type ServiceName, type TransportFactory } from './transport-factory';

export interface RunningStrata {
  /** The address the HTTP server this process opened really listens on (`http://127.0.0.1:PORT`, `http://0.0.0.0:PORT`). */
  readonly url: string | undefined;
  /** Port of the HTTP server this process opened (gateway, or health server). */
  readonly port: number | undefined;
  /** Port of the gateway's operator server (`STRATA_METRICS_PORT`), when configured. */
  readonly metricsPort?: number | undefined;
  stop(): Promise<void>;
}

interface Started {
  readonly app: INestApplication;
  readonly closers: Closer[];
}

function root(service: DynamicModule, withOps: boolean): DynamicModule {
  @Module({})
  class ServiceRoot {}
  return { module: ServiceRoot, imports: withOps ? [service, OpsModule] : [service] };
}

async function buildModule(
  service: ServiceName,
  config: StrataConfig,
  transport: TransportFactory,
): Promise<{ module: DynamicModule; closers: Closer[] }> {
  const client = (target: ServiceName | 'events') => transport.client(service, target);
  switch (service) {
    case 'gateway':
      return {
        module: GatewayModule.register({
          config,
          adapters: [
            { provide: CACHE_CLIENT, useValue: client('cache') },
            { provide: INVALIDATION_CLIENT, useValue: client('invalidation') },
            { provide: EMBEDDING_CLIENT, useValue: client('embedding') },
            { provide: EVENTS_CLIENT, useValue: client('events') },
          ],
        }),
        closers: [],
      };
    case 'cache': {
      const built = await cacheAdapters(config);
      return {
        module: CacheServiceModule.register({
          config,
          adapters: [...built.providers, { provide: EMBEDDING_CLIENT, useValue: client('embedding') }],
          // The verifier's calibrated default (docs/semantic-quality.md), when config sets none.
          defaultThreshold: DEFAULT_SIMILARITY_THRESHOLD,
          minCosine: config.cache.minCosine ?? (config.embedding.provider === 'local' ? 0.8 : 0.5),
        }),
        closers: built.closers,
      };
    }
    case 'embedding': {
      const built = await embeddingAdapters(config);
      return { module: EmbeddingServiceModule.register({ config, adapters: built.providers }), closers: built.closers };
    }
    case 'invalidation': {
      const built = invalidationAdapters(config);
      return {
        module: InvalidationServiceModule.register({
          config,
          adapters: [
            ...built.providers,
            { provide: CACHE_CLIENT, useValue: client('cache') },
            { provide: EVENTS_CLIENT, useValue: client('events') },
          ],
        }),
        closers: built.closers,
      };
    }
  }
}

async function startService(
  service: ServiceName,
  config: StrataConfig,
  transport: TransportFactory,
  logger: LoggerService,
  http: { listen: boolean; port: number },
): Promise<Started> {
  const { module, closers } = await buildModule(service, config, transport);
  const app = await createHttpApp(root(module, service !== 'gateway' && http.listen), config, logger);
  app.connectMicroservice({ strategy: transport.server(service) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  if (http.listen) await app.listen(http.port, config.http.host);
  else await app.init();
  return { app, closers };
}

/**
 * Starts Strata in this process.
 *
 * Embedded (default): all four services, wired through the in-process transport, the gateway serving
 * HTTP on `config.http.port`. Same modules and handlers as distributed mode: only the transport and the
 * store adapters differ.
 */
export async function startEmbedded(config: StrataConfig): Promise<RunningStrata> {
  const logger = new PinoNestLogger(createLogger(config.log.level, 'strata'));
  const transport = new InProcessTransportFactory();
  const started: Started[] = [];
  try {
    // Consumers first, gateway last: when the port opens, every service is ready to answer.
    for (const service of ['embedding', 'cache', 'invalidation'] as const) {
      started.push(await startService(service, config, transport, logger, { listen: false, port: 0 }));
    }
    const gateway = await startService('gateway', config, transport, logger, { listen: true, port: config.http.port });
    started.push(gateway);
    const metrics = await metricsServer(config);
    if (metrics) gateway.closers.push(() => metrics.close());
    const address = listeningAddress(gateway.app);
    return {
      url: address?.url,
      port: address?.port,
      metricsPort: metrics?.port,
      stop: () => stopAll(started, transport),
    };
  } catch (error) {
    await stopAll(started, transport);
    throw error;
  }
}

/** The gateway's operator port, when `STRATA_METRICS_PORT` asks for one: bound like the API. */
function metricsServer(config: StrataConfig): Promise<RunningMetricsServer | undefined> {
  return config.http.metricsPort === undefined
    ? Promise.resolve(undefined)
    : startMetricsServer(config.http.metricsPort, config.http.host);
}

/** Where the app's HTTP server really listens: the bound interface and port. */
function listeningAddress(app: INestApplication | undefined): { url: string; port: number } | undefined {
  const server = app?.getHttpServer() as { address(): AddressInfo | string | null } | undefined;
  const address = server?.address();
  if (!address || typeof address !== 'object') return undefined;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, port: address.port };
}

/**
 * Starts one service of distributed mode in this process, over Kafka. Its HTTP server (the gateway's
 * API, or the health/metrics server of the others) opens first, so liveness answers while the broker
 * is awaited; readiness turns green once Kafka is connected and the consumers run.
 */
export async function startDistributed(service: ServiceName, config: StrataConfig): Promise<RunningStrata> {
  const logger = new PinoNestLogger(createLogger(config.log.level, `strata-${service}`));
  const transport = new KafkaTransportFactory(config);
  const admin = new KafkaAdmin(config, `${config.kafka.clientId}-${service}`);
  const health = HealthChecks.shared();
  let consuming = false;
  const kafkaCheck = async () => {
    await admin.ping();
    if (!consuming) throw new Error('consumers not started yet');
  };
  health.register('kafka', kafkaCheck, { critical: true });
  const { module, closers } = await buildModule(service, config, transport);
  const app = await createHttpApp(root(module, service !== 'gateway'), config, logger);
  const started: Started[] = [{ app, closers: [...closers, () => admin.close()] }];
  // The gateway binds HOST (loopback unless API keys are configured); the others serve probes and metrics only.
  if (service === 'gateway') await app.listen(config.http.port, config.http.host);
  else await app.listen(config.healthPort, config.healthHost);
  const metrics = service === 'gateway' ? await metricsServer(config) : undefined;
  if (metrics) started[0]?.closers.push(() => metrics.close());
  try {
    await admin.waitForBroker();
    await admin.ensureTopics(allTopics());
    await admin.waitForTopics(allTopics());
    const server = transport.server(service) as CustomTransportStrategy & Pick<Server, 'status'>;
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await transport.connect();
    consuming = true;
    // A consumer that crashed (and may not come back) is not ready; kafkajs' reconnect makes it ready again.
    server.status.subscribe((status) => {
      if (status === 'crashed') consuming = false;
      else if (status === 'connected') consuming = true;
    });
    if (service === 'gateway') {
      // Once up, a gateway keeps serving (L1 hits, fast misses) through a Kafka outage: degraded, not unready.
      health.register('kafka', kafkaCheck, { critical: false });
    }
    if (service === 'invalidation') {
      // The lag that matters to users: data changes not yet applied.
      StrataMetrics.shared().reportConsumerLag(() =>
        admin.consumerLag(`${transport.groupId(service)}-server`, [DATA_CHANGES_TOPIC]),
      );
    }
  } catch (error) {
    await stopAll(started, transport);
    throw error;
  }
  const listening = listeningAddress(app);
  return {
    url: listening?.url,
    port: listening?.port,
    metricsPort: metrics?.port,
    stop: () => stopAll(started, transport),
  };
}

/**
 * Gateway first (stop taking requests), then the services it calls; then adapters and transport. One
 * failure to close does not leave the rest open: everything is closed, then the first error is thrown.
 */
async function stopAll(started: Started[], transport: TransportFactory): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (close: () => Promise<unknown>) => {
    try {
      await close();
    } catch (error) {
      errors.push(error);
    }
  };
  for (const { app } of [...started].reverse()) await attempt(() => app.close());
  for (const { closers } of started) for (const close of closers) await attempt(close);
  await attempt(() => transport.close());
  if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
}
