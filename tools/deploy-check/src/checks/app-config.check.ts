import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type StrataConfig, loadConfig } from '@strata/config';
import { type IContainer } from 'kubernetes-models/v1/Container';
import { type K8sObject, type PodTemplate, objectRef, podTemplateOf } from '../manifest';
import { ConfigSources } from './config-sources';
import { RUNTIME_ENV_NAMES } from './env-names';
import { type Finding, finding } from './finding';

/** The four Strata services: each a Deployment of that name whose pods are labelled as a Strata service. */
export const STRATA_APPS = ['gateway', 'cache', 'embedding', 'invalidation'] as const;
/** Addresses only the pod itself can reach. */
export const LOOPBACK = /^(127\.|localhost$|\[?::1\]?$)/;
const APP_POD_LABEL = { key: 'app.kubernetes.io/component', value: 'service' } as const;

export interface ResolvedEnv {
  /** What the container would see (secrets missing from the render are left out). */
  readonly values: Record<string, string>;
  /** Names set from a Secret that is not in the render: set in the cluster, unknown here. */
  readonly external: Set<string>;
  /** Every name the manifests set, with where it comes from. */
  readonly names: { name: string; from: string }[];
}

function resolveEnv(container: IContainer, namespace: string | undefined, sources: ConfigSources): ResolvedEnv {
  const values: Record<string, string> = {};
  const external = new Set<string>();
  const names: { name: string; from: string }[] = [];
  for (const source of container.envFrom ?? []) {
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const name = source.configMapRef?.name ?? source.secretRef?.name ?? '';
    for (const [key, value] of sources.get(kind, namespace, name) ?? []) {
      values[(source.prefix ?? '') + key] = value;
      names.push({ name: (source.prefix ?? '') + key, from: `envFrom ${kind} ${name}` });
    }
  }
  for (const env of container.env ?? []) {
    names.push({ name: env.name, from: 'env' });
    const cm = env.valueFrom?.configMapKeyRef;
    const secret = env.valueFrom?.secretKeyRef;
    if (env.value !== undefined) values[env.name] = env.value;
    else if (cm) {
      const value = sources.get('ConfigMap', namespace, cm.name ?? '')?.get(cm.key);
      if (value === undefined) delete values[env.name];
      else values[env.name] = value;
    } else if (secret) {
      const data = sources.get('Secret', namespace, secret.name ?? '');
      const value = data?.get(secret.key);
      if (value === undefined) delete values[env.name];
      else values[env.name] = value;
      if (!data) external.add(env.name);
    } else values[env.name] = 'from-the-downward-api';
  }
  return { values, external, names };
}

/** The content of the file at `path` inside the container, when a ConfigMap volume provides it. */
function mountedFile(
  pod: PodTemplate,
  container: IContainer,
  path: string,
  sources: ConfigSources,
  namespace: string | undefined,
): string | undefined {
  for (const mount of container.volumeMounts ?? []) {
    const inside = relative(mount.mountPath, path);
    if (inside.startsWith('..') || inside === '') continue;
    const volume = (pod.spec.volumes ?? []).find((v) => v.name === mount.name);
    if (!volume?.configMap) continue;
    const relativePath = mount.subPath ? join(mount.subPath, inside) : inside;
    const item = (volume.configMap.items ?? []).find((i) => i.path === relativePath);
    if ((volume.configMap.items ?? []).length > 0 && !item) continue;
    return sources.get('ConfigMap', namespace, volume.configMap.name ?? '')?.get(item?.key ?? relativePath);
  }
  return undefined;
}

function isAppPod(pod: PodTemplate): boolean {
  return pod.labels[APP_POD_LABEL.key] === APP_POD_LABEL.value;
}

/** The four services are there, as Deployments whose pods carry the service label. */
export function checkAppsPresent(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  for (const app of STRATA_APPS) {
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
    const pod = deployment && podTemplateOf(deployment);
    if (!pod || !isAppPod(pod)) {
      out.push(
        finding(
          'app-config',
          `Deployment/${app}`,
          `missing, or its pods lack the label ${APP_POD_LABEL.key}=${APP_POD_LABEL.value}`,
        ),
      );
    }
  }
  return out;
}

/** A Strata service container as its pod will run it: the resolved environment and the loaded configuration. */
export interface AppContainer {
  readonly object: K8sObject;
  readonly pod: PodTemplate;
  readonly container: IContainer;
  readonly env: ResolvedEnv;
  /** The loaded configuration, or why it does not load. */
  readonly config: StrataConfig | { readonly error: string };
}

/**
 * Every container of a Strata service pod, with its configuration loaded the way the pod would load it:
 * `loadConfig()` on the resolved environment and the mounted STRATA_CONFIG file.
 */
export function appContainers(objects: readonly K8sObject[]): AppContainer[] {
  const out: AppContainer[] = [];
  const sources = new ConfigSources(objects);
  const scratch = mkdtempSync(join(tmpdir(), 'deploy-check-'));
  try {
    for (const object of objects) {
      const pod = podTemplateOf(object);
      if (!pod || !isAppPod(pod)) continue;
      const namespace = object.metadata.namespace;
      for (const container of pod.spec.containers) {
        const env = resolveEnv(container, namespace, sources);
        const values = { ...env.values };
        const configPath = values.STRATA_CONFIG;
        if (configPath !== undefined) {
          const content = mountedFile(pod, container, configPath, sources, namespace);
          if (content === undefined) {
            const error = `STRATA_CONFIG=${configPath}, but no mounted ConfigMap provides that file`;
            out.push({ object, pod, container, env, config: { error } });
            continue;
          }
          const file = join(scratch, `${object.metadata.name}-${container.name}.json`);
          writeFileSync(file, content);
          values.STRATA_CONFIG = file;
        }
        try {
          out.push({ object, pod, container, env, config: loadConfig(values) });
        } catch (err) {
          out.push({
            object,
            pod,
            container,
            env,
            config: { error: `the configuration does not load: ${(err as Error).message}` },
          });
        }
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

/** The configuration of an app container, when it loads. */
export function loadedConfig(app: AppContainer): StrataConfig | undefined {
  return 'error' in app.config ? undefined : app.config;
}

/**
 * The Strata services' configuration as the pods will see it:
 * - every environment variable the manifests give them is one the apps read (libs/config/src/load-config.ts)
 *   or one Node.js reads;
 * - the configuration loads: `loadConfig()` runs on the resolved environment and the mounted STRATA_CONFIG
 *   file, in distributed mode, with real Kafka brokers, with Redis/Qdrant where the service needs them,
 *   and the service listens on the port its probes and Service use.
 */
export function checkAppConfig(objects: readonly K8sObject[], envNames: ReadonlySet<string>): Finding[] {
  const out: Finding[] = [];
  for (const app of appContainers(objects)) {
    const subject = objectRef(app.object);
    const where = `container "${app.container.name}"`;
    for (const { name, from } of app.env.names) {
      if (!envNames.has(name) && !RUNTIME_ENV_NAMES.has(name)) {
        out.push(
          finding(
            'app-env',
            subject,
            `${where} sets ${name} (${from}), which Strata does not read (see libs/config/src/load-config.ts)`,
          ),
        );
      }
    }
    const config = loadedConfig(app);
    if (!config) {
      out.push(finding('app-config', subject, `${where}: ${(app.config as { error: string }).error}`));
      continue;
    }
    out.push(...checkLoadedConfig(subject, where, app.container, config, app.env.external));
  }
  return out;
}

function checkLoadedConfig(
  subject: string,
  where: string,
  container: IContainer,
  config: StrataConfig,
  external: ReadonlySet<string>,
): Finding[] {
  const out: Finding[] = [];
  const problem = (message: string) => out.push(finding('app-config', subject, `${where}: ${message}`));
  if (config.mode !== 'distributed')
    problem(`STRATA_MODE is "${config.mode}": the services must run in distributed mode`);
  if (config.kafka.brokers.some((b) => /^(127\.|localhost\b|\[?::1\]?)/.test(b)))
    problem(`KAFKA_BROKERS points at this pod (${config.kafka.brokers.join(',')})`);
  const containerPorts = new Set((container.ports ?? []).map((p) => p.containerPort));
  const [portName, port] =
    container.name === 'gateway' ? ['PORT', config.http.port] : ['HEALTH_PORT', config.healthPort];
  if (!containerPorts.has(port))
    problem(
      `listens on ${portName}=${port}, which the container does not declare (probes and Services use the declared ports)`,
    );
  const keysInCluster = external.has('STRATA_API_KEYS') || external.has('HOST');
  if (container.name === 'gateway' && LOOPBACK.test(config.http.host) && !keysInCluster)
    problem(
      `binds ${config.http.host} (no STRATA_API_KEYS, no HOST): its Service, probes and Ingress cannot reach it; configure API keys`,
    );
  if (container.name === 'gateway') {
    // The gateway serves /metrics on its own port (STRATA_METRICS_PORT, else HEALTH_PORT), off the API port.
    const metricsPort = config.http.metricsPort ?? config.healthPort;
    const declared = (container.ports ?? []).find((p) => p.containerPort === metricsPort);
    if (declared?.name !== 'metrics')
      problem(`serves /metrics on ${metricsPort}, which the container does not declare as its port named "metrics"`);
  }
  const needs = (what: string, value: string | undefined, envName: string) => {
    if (value === undefined && !external.has(envName))
      problem(`${envName} is not set: the ${container.name} service needs ${what}`);
  };
  // Redis is one server (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES, which wins when both are set).
  const redis = config.redis.clusterNodes?.[0] ?? config.redis.url;
  if (container.name === 'cache') {
    needs('Redis (L2)', redis, 'REDIS_URL');
    needs('Qdrant (L3)', config.qdrant.url, 'QDRANT_URL');
  }
  if (container.name === 'invalidation') needs('Redis (the ids of applied data-change events)', redis, 'REDIS_URL');
  if (container.name === 'embedding') {
    needs('Redis (embedding cache)', redis, 'REDIS_URL');
    if (config.embedding.provider === 'openai') needs('the provider URL', config.embedding.url, 'EMBEDDING_URL');
  }
  return out;
}
