import { type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { type IContainer } from 'kubernetes-models/v1/Container';
import { type IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { type K8sObject } from '../manifest';

/**
 * A small, valid, hardened render for the checks' specs: a Strata-labelled "cache" Deployment with its
 * ServiceAccount, Service, ConfigMaps (env and STRATA_CONFIG file), NetworkPolicy, PDB and HPA. Each spec
 * breaks one thing and expects the matching finding.
 */
export function goodRender(): K8sObject[] {
  const labels = { 'app.kubernetes.io/name': 'cache', 'app.kubernetes.io/part-of': 'strata' };
  const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'strata', ...extra });
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('cache'), automountServiceAccountToken: false },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('strata-config'),
      data: {
        STRATA_MODE: 'distributed',
        STRATA_CONFIG: '/etc/strata/strata.json',
        KAFKA_BROKERS: 'kafka:9092',
        REDIS_URL: 'redis://redis:6379',
        QDRANT_URL: 'http://qdrant:6333',
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('strata-config-file'),
      data: { 'strata.json': '{"cache":{"l1MaxEntries":100}}' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: meta('strata-secrets'), stringData: { QDRANT_API_KEY: 'k' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('cache', { labels }),
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/component': 'service' } },
          spec: {
            serviceAccountName: 'cache',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'cache',
                image: 'strata/cache:dev',
                ports: [{ name: 'metrics', containerPort: 9464 }],
                envFrom: [{ configMapRef: { name: 'strata-config' } }],
                env: [
                  { name: 'HEALTH_PORT', value: '9464' },
                  {
                    name: 'QDRANT_API_KEY',
                    valueFrom: { secretKeyRef: { name: 'strata-secrets', key: 'QDRANT_API_KEY', optional: true } },
                  },
                ],
                readinessProbe: { httpGet: { path: '/health/ready', port: 'metrics' } },
                livenessProbe: { httpGet: { path: '/health/live', port: 'metrics' } },
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'config', mountPath: '/etc/strata', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'strata-config-file' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('cache', { labels: { ...labels, 'app.kubernetes.io/component': 'service' } }),
      spec: { selector: labels, ports: [{ name: 'metrics', port: 9464, targetPort: 'metrics' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('cache'),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cache' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cache' } } }] }],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta('cache'),
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta('cache'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cache' },
        minReplicas: 1,
        maxReplicas: 3,
      },
    },
  ];
}

/** The object of that kind and name in a render (throws when absent, so specs fail loudly). */
export function pick<T>(objects: readonly K8sObject[], kind: string, name: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`fixture has no ${kind}/${name}`);
  return found as unknown as T;
}

/** The pod spec of the cache Deployment. */
export function cachePodSpec(objects: readonly K8sObject[]): IPodSpec {
  return pick<IDeployment>(objects, 'Deployment', 'cache').spec!.template.spec!;
}

/** The container of the cache Deployment. */
export function cacheContainer(objects: readonly K8sObject[]): IContainer {
  return cachePodSpec(objects).containers[0];
}
