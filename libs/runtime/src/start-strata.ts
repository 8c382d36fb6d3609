import { type AddressInfo } from 'node:net';
import { type CustomTransportStrategy, type Server } from '@nestjs/microservices';
import { type INestApplication, type LoggerService, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { type StrataConfig } from '@strata/config';
import { type ModelCalibration } from '@strata/semantic';
import { HealthChecks, OpsModule, PinoNestLogger, StrataMetrics, createLogger } from '@strata/observability';
import { CacheServiceModule, DirectCacheService } from '@strata/service-cache';
import { DirectEmbeddings, EmbeddingServiceModule } from '@strata/service-embedding';
import { GATEWAY_RESPONSE_HEADERS, GatewayCache, GatewayModule } from '@strata/service-gateway';
import { DirectInvalidation, InvalidationServiceModule } from '@strata/service-invalidation';
import {
  CACHE_SERVICE,
  type CacheService,
  DATA_CHANGES_TOPIC,
  EMBEDDINGS,
  type Embeddings,
  INVALIDATION,
  type Invalidation,
  L1_EVICTIONS,
  allTopics,
} from '@strata/contracts';
import { InProcessL1Evictions, KafkaAdmin } from '@strata/transport';
import { type Closer, cacheAdapters, embeddingAdapters, invalidationAdapters, modelCalibration } from './adapters';
import { gatewayAdapters } from './gateway-adapters';
import { type HttpAppOptions, createHttpApp } from './http-app';
import { type RunningMetricsServer, startMetricsServer } from './metrics-server';
import { KafkaTransportFactory } from './kafka-transport';
import { semanticPolicy } from './semantic-policy';
import { type ServiceName } from './transport-factory';
import { logFormat } from './startup-banner';

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

/** `ports`: the adapters of the other services' ports this one calls (direct calls embedded, Kafka distributed). */
async function buildModule(
  service: ServiceName,
  config: StrataConfig,
  ports: Provider[],
): Promise<{ module: DynamicModule; closers: Closer[] }> {
  switch (service) {
    case 'gateway': {
      const built = gatewayAdapters(config);
      return {
        module: GatewayModule.register({
          config,
          adapters: [...built.providers, ...ports],
          ...presetThresholds(config),
        }),
        closers: built.closers,
      };
    }
    case 'cache': {
      const built = await cacheAdapters(config);
      return {
        module: CacheServiceModule.register({
          config,
          adapters: [...built.providers, ...ports],
          ...semanticPolicy(config, built),
        }),
        closers: built.closers,
      };
    }
    case 'embedding': {
      const built = await embeddingAdapters(config);
      return {
        module: EmbeddingServiceModule.register({ config, adapters: [...built.providers, ...ports] }),
        closers: built.closers,
      };
    }
    case 'invalidation': {
      const built = invalidationAdapters(config);
      return {
        module: InvalidationServiceModule.register({
          config,
          adapters: [...built.providers, ...ports],
        }),
        closers: built.closers,
      };
    }
  }
}

/** The namespace presets' thresholds for the configured embedding model, when its calibration sets them. */
function presetThresholds(config: StrataConfig): { presetThresholds?: ModelCalibration['thresholds'] } {
  const calibration = modelCalibration(config);
  return calibration === undefined ? {} : { presetThresholds: calibration.thresholds };
}

/** The gateway's answers are `private, no-store` toward shared caches unless a public answer says otherwise. */
function httpOptions(service: ServiceName): HttpAppOptions {
  return service === 'gateway' ? { responseHeaders: GATEWAY_RESPONSE_HEADERS, frontDoor: true } : {};
}

/** The process's logger, in the format in force (pretty: NestJS's start-up chatter at debug, the banner says what matters). */
function processLogger(config: StrataConfig, name: string): LoggerService {
  const format = logFormat(config, process.stdout.isTTY === true);
  return new PinoNestLogger(createLogger(config.log.level, name, format), { quietFrameworkStart: format === 'pretty' });
}

/** One service of the embedded default: no transport; `wire` runs once the app is initialised, before it listens. */
async function startEmbeddedService(
  service: ServiceName,
  config: StrataConfig,
  ports: Provider[],
  logger: LoggerService,
  listenPort?: number,
  wire?: (app: INestApplication) => void,
): Promise<Started> {
  const { module, closers } = await buildModule(service, config, ports);
  const app = await createHttpApp(root(module, false), config, logger, httpOptions(service));
  await app.init();
  wire?.(app);
  if (listenPort !== undefined) await app.listen(listenPort, config.http.host);
  return { app, closers };
}

/**
 * Starts Strata in this process.
 *
 * Embedded (default): all four services, each calling the others' ports directly (the same request handling
 * their Kafka handlers run in distributed mode), the gateway serving HTTP on `config.http.port`. Only the
 * port adapters and the store adapters differ from distributed mode.
 */
export async function startEmbedded(config: StrataConfig): Promise<RunningStrata> {
  const logger = processLogger(config, 'strata');
  const evictions = new InProcessL1Evictions();
  const started: Started[] = [];
  try {
    // The services called first, gateway last: when the port opens, every service is ready to answer.
    const embedding = await startEmbeddedService('embedding', config, [], logger);
    started.push(embedding);
    const embeddings: Provider = {
      provide: EMBEDDINGS,
      useValue: embedding.app.get<DirectEmbeddings>(DirectEmbeddings) satisfies Embeddings,
    };
    // L1 evictions: a failed hit audit evicts the entry from the gateway's L1, like feedback's block.
    const cache = await startEmbeddedService(
      'cache',
      config,
      [embeddings, { provide: L1_EVICTIONS, useValue: evictions }],
      logger,
    );
    started.push(cache);
    const cacheService: Provider = {
      provide: CACHE_SERVICE,
      useValue: cache.app.get<DirectCacheService>(DirectCacheService) satisfies CacheService,
    };
    const invalidation = await startEmbeddedService(
      'invalidation',
      config,
      [cacheService, { provide: L1_EVICTIONS, useValue: evictions }],
      logger,
    );
    started.push(invalidation);
    const gatewayPorts = [
      cacheService,
      embeddings,
      { provide: L1_EVICTIONS, useValue: evictions },
      {
        provide: INVALIDATION,
        useValue: invalidation.app.get<DirectInvalidation>(DirectInvalidation) satisfies Invalidation,
      },
    ];
    const gateway = await startEmbeddedService('gateway', config, gatewayPorts, logger, config.http.port, (app) => {
      const l1 = app.get<GatewayCache>(GatewayCache);
      evictions.subscribe((event) => l1.evictL1(event));
    });
    started.push(gateway);
    const metrics = await metricsServer(config, false);
    if (metrics) gateway.closers.push(() => metrics.close());
    const address = listeningAddress(gateway.app);
    return {
      url: address?.url,
      port: address?.port,
      metricsPort: metrics?.port,
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

/**
 * The gateway's operator port, bound like the API: `STRATA_METRICS_PORT` when set; in distributed mode
 * otherwise `HEALTH_PORT` (9464), the port every other service serves its metrics on.
 */
function metricsServer(config: StrataConfig, distributed: boolean): Promise<RunningMetricsServer | undefined> {
  const port = config.http.metricsPort ?? (distributed ? config.healthPort : undefined);
  return port === undefined ? Promise.resolve(undefined) : startMetricsServer(port, config.http.host);
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
  const logger = processLogger(config, `strata-${service}`);
  const transport = new KafkaTransportFactory(config, service);
  const admin = new KafkaAdmin(config, `${config.kafka.clientId}-${service}`);
  const health = HealthChecks.shared();
  let consuming = false;
  const kafkaCheck = async () => {
    await admin.ping();
    if (!consuming) throw new Error('consumers not started yet');
  };
  health.register('kafka', kafkaCheck, { critical: true });
  const { module, closers } = await buildModule(service, config, transport.ports());
  const app = await createHttpApp(root(module, service !== 'gateway'), config, logger, httpOptions(service));
  const started: Started[] = [{ app, closers: [...closers, () => admin.close()] }];
  // The gateway binds HOST (loopback unless API keys are configured); the others serve probes and metrics only.
  if (service === 'gateway') await app.listen(config.http.port, config.http.host);
  else await app.listen(config.healthPort, config.healthHost);
  const metrics = service === 'gateway' ? await metricsServer(config, true) : undefined;
  if (metrics) started[0]?.closers.push(() => metrics.close());
  try {
    await admin.waitForBroker();
    await admin.ensureTopics(allTopics());
    await admin.waitForTopics(allTopics());
    const servers = transport.servers() as (CustomTransportStrategy & Pick<Server, 'status'>)[];
    for (const server of servers) app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await transport.connect();
    consuming = true;
    // A consumer that crashed (and may not come back) is not ready; kafkajs' reconnect makes it ready again.
    const crashed = new Set<CustomTransportStrategy>();
    for (const server of servers) {
      server.status.subscribe((status) => {
        if (status === 'crashed') crashed.add(server);
        else if (status === 'connected') crashed.delete(server);
        consuming = crashed.size === 0;
      });
    }
    if (service === 'gateway') {
      // Once up, a gateway keeps serving (L1 hits, fast misses) through a Kafka outage: degraded, not unready.
      health.register('kafka', kafkaCheck, { critical: false });
    }
    if (service === 'invalidation') {
      // The lag that matters to users: data changes not yet applied.
      StrataMetrics.shared().reportConsumerLag(() =>
        admin.consumerLag(`${transport.groupId()}-server`, [DATA_CHANGES_TOPIC]),
      );
    }
  } catch (error) {
    await stopAll(started, () => transport.close());
    throw error;
  }
  const listening = listeningAddress(app);
  return {
    url: listening?.url,
    port: listening?.port,
    metricsPort: metrics?.port,
    stop: () => stopAll(started, () => transport.close()),
  };
}

/**
 * Gateway first (stop taking requests), then the services it calls; then adapters and transport. One
 * failure to close does not leave the rest open: everything is closed, then the first error is thrown.
 */
async function stopAll(started: Started[], closeTransport?: () => Promise<void>): Promise<void> {
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
  if (closeTransport) await attempt(closeTransport);
  if (errors.length > 0) throw errors[0] instanceof Error ? errors[0] : new Error(String(errors[0]));
}
