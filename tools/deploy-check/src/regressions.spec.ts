import { type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { join } from 'node:path';
import { checkAppConfig } from './checks/app-config.check';
import { readEnvNames } from './checks/env-names';
import { checkHpaReplicas } from './checks/hpa-replicas.check';
import { checkIngress } from './checks/ingress.check';
import { checkKafkaBrokers } from './checks/kafka-broker.check';
import { checkNetworkFlows } from './checks/network-flows.check';
import { checkRedisEviction } from './checks/redis-eviction.check';
import { type Finding, formatFinding } from './checks/finding';
import { renderKustomization } from './kustomize/kustomize';
import { type K8sObject } from './manifest';

const OVERLAYS = join(__dirname, '../../../deploy/overlays');
const renders = new Map<string, K8sObject[]>();
/** A fresh copy of an overlay's render (rendered once per run). */
function render(overlay: string): K8sObject[] {
  if (!renders.has(overlay)) renders.set(overlay, renderKustomization(join(OVERLAYS, overlay)));
  return structuredClone(renders.get(overlay)!);
}
const pick = <T>(objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as unknown as T;
const lines = (findings: Finding[]) => findings.map(formatFinding);
const ENV_NAMES = readEnvNames(join(__dirname, '../../../libs/config/src/load-config.ts'));

/**
 * The three high-severity defects of issue #14, reintroduced into the real overlays one at a time: each
 * must fail deploy-check, and the fixed manifests must pass.
 */
describe('deploy-check on the real overlays', () => {
  describe.each(['dev', 'prod', 'prod-managed', 'prod-strimzi'])('%s', (overlay) => {
    it('allows every connection the services are configured to open, in both directions', () => {
      expect(lines(checkNetworkFlows(render(overlay)))).toEqual([]);
    });

    it('sets no replicas on a Deployment an HPA scales', () => {
      expect(lines(checkHpaReplicas(render(overlay)))).toEqual([]);
    });

    it('runs Redis with an eviction policy that keeps keys without a TTL', () => {
      expect(lines(checkRedisEviction(render(overlay)))).toEqual([]);
    });

    it('keeps /metrics off the Ingress and waits on the gateway longer than it waits on the upstream', () => {
      expect(lines(checkIngress(render(overlay)))).toEqual([]);
    });

    it('runs Kafka brokers with a real readiness check and logs to stdout only', () => {
      expect(lines(checkKafkaBrokers(render(overlay)))).toEqual([]);
    });
  });

  it('fails when the invalidation service may not reach Redis (its egress allows only Kafka)', () => {
    const objects = render('prod');
    const policy = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'invalidation');
    policy.spec!.egress = policy.spec!.egress!.filter((r) => !JSON.stringify(r).includes('redis'));
    expect(lines(checkNetworkFlows(objects))).toEqual(
      [0, 1, 2, 3, 4, 5].map(
        (i) =>
          `[network-flows] Deployment/strata/invalidation: egress to Redis Cluster node (redis://redis-${i}.redis-cluster:6379) on TCP 6379 (StatefulSet/strata/redis) is not allowed by its NetworkPolicies`,
      ),
    );
  });

  it('fails when the Redis Cluster nodes may not reach each other on the cluster bus', () => {
    const objects = render('prod');
    const policy = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'redis');
    for (const rule of [...policy.spec!.ingress!, ...policy.spec!.egress!])
      rule.ports = rule.ports!.filter((p) => p.port !== 16379);
    expect(lines(checkNetworkFlows(objects))).toEqual([
      '[network-flows] StatefulSet/strata/redis: egress to its Redis Cluster peers on TCP 16379 is not allowed',
      '[network-flows] StatefulSet/strata/redis: ingress from its Redis Cluster peers on TCP 16379 is not allowed',
    ]);
  });

  it('fails when the Qdrant peers may not reach each other on the p2p port', () => {
    const objects = render('prod');
    pick<INetworkPolicy>(objects, 'NetworkPolicy', 'qdrant').spec!.egress = [];
    expect(lines(checkNetworkFlows(objects))).toEqual([
      '[network-flows] StatefulSet/strata/qdrant: egress to its Qdrant cluster (p2p) peers on TCP 6335 is not allowed',
    ]);
  });

  it('fails when Redis admits only cache and embedding', () => {
    const objects = render('dev');
    const policy = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'redis');
    policy.spec!.ingress![0].from = policy.spec!.ingress![0].from!.filter(
      (p) => !JSON.stringify(p).includes('invalidation'),
    );
    expect(lines(checkNetworkFlows(objects))).toEqual([
      '[network-flows] StatefulSet/strata/redis: ingress from invalidation (Redis (redis://redis:6379) on TCP 6379) is not allowed by its NetworkPolicies',
    ]);
  });

  it('fails when DNS is allowed only to pods labelled k8s-app=kube-dns', () => {
    const objects = render('dev');
    const dns = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'allow-dns-egress');
    dns.spec!.egress![0].to = [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ];
    expect(lines(checkNetworkFlows(objects))).toHaveLength(8);
  });

  it('fails when managed Redis is not reachable by port from the invalidation service', () => {
    const objects = render('prod-managed');
    const policy = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'invalidation');
    for (const rule of policy.spec!.egress!) rule.ports = rule.ports!.filter((p) => p.port !== 6379);
    expect(lines(checkNetworkFlows(objects))).toEqual([
      '[network-flows] Deployment/strata/invalidation: egress to Redis (REDIS_URL from a Secret) on TCP 6379 (outside the cluster) is not allowed by any NetworkPolicy',
    ]);
  });

  it('fails when a Deployment under an HPA sets replicas', () => {
    const objects = render('prod');
    pick<IDeployment>(objects, 'Deployment', 'gateway').spec!.replicas = 3;
    expect(lines(checkHpaReplicas(objects))).toEqual([
      '[hpa-replicas] Deployment/strata/gateway: sets replicas: 3 but HorizontalPodAutoscaler/strata/gateway scales it: remove replicas (set minReplicas on the HPA instead)',
    ]);
  });

  it.each(['allkeys-lru', 'allkeys-lfu', 'allkeys-random'])('fails when Redis runs with %s', (policy) => {
    const objects = render('prod');
    const redis = pick<IStatefulSet>(objects, 'StatefulSet', 'redis').spec!.template.spec!.containers[0];
    const args = redis.args!;
    args[args.indexOf('--maxmemory-policy') + 1] = policy;
    expect(lines(checkRedisEviction(objects))).toEqual([
      `[redis-eviction] StatefulSet/strata/redis: container "redis" runs with --maxmemory-policy ${policy}, which can evict the purge generations (keys without a TTL): use volatile-lru (or another volatile-* policy, or noeviction)`,
    ]);
  });

  it('fails when the Redis Cluster nodes take their eviction policy from an env variable set to allkeys-lru', () => {
    const objects = render('prod');
    const redis = pick<IStatefulSet>(objects, 'StatefulSet', 'redis').spec!.template.spec!.containers[0];
    const args = redis.args!;
    args[args.indexOf('--maxmemory-policy') + 1] = '$(REDIS_POLICY)';
    redis.env!.push({ name: 'REDIS_POLICY', value: 'allkeys-lru' });
    expect(lines(checkRedisEviction(objects))).toEqual([
      `[redis-eviction] StatefulSet/strata/redis: container "redis" runs with --maxmemory-policy allkeys-lru, which can evict the purge generations (keys without a TTL): use volatile-lru (or another volatile-* policy, or noeviction)`,
    ]);
  });

  it('fails when a Redis Cluster node keeps nodes.conf off its volume', () => {
    const objects = render('prod');
    const redis = pick<IStatefulSet>(objects, 'StatefulSet', 'redis').spec!.template.spec!.containers[0];
    const args = redis.args!;
    args[args.indexOf('--cluster-config-file') + 1] = '/tmp/nodes.conf';
    expect(lines(checkRedisEviction(objects))).toEqual([
      '[redis-eviction] StatefulSet/strata/redis: container "redis" is a Redis Cluster node whose cluster config file /tmp/nodes.conf is not on a persistent volume: a restarted node would lose its identity and slots',
    ]);
  });

  it('fails when the Ingress routes everything (/metrics included) with the 60 s nginx default', () => {
    const objects = render('prod');
    const ingress = pick<IIngress>(objects, 'Ingress', 'gateway');
    ingress.spec!.rules![0].http!.paths[0].path = '/';
    delete ingress.metadata!.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout'];
    expect(lines(checkIngress(objects))).toEqual([
      '[ingress] Ingress/strata/gateway: path / (Prefix) routes /metrics to the public: route /v1 only',
      '[ingress] Ingress/strata/gateway: path / (Prefix) routes /health/ready to the public: route /v1 only',
      '[ingress] Ingress/strata/gateway: proxy-read-timeout is 60 s (ingress-nginx default), not more than the gateway waits on the upstream (120 s)',
    ]);
  });

  it('fails when the ServiceMonitor scrapes the public API port', () => {
    const objects = render('prod');
    pick<IServiceMonitor>(objects, 'ServiceMonitor', 'strata').spec.endpoints.push({ port: 'http', path: '/metrics' });
    expect(lines(checkIngress(objects))).toEqual([
      `[ingress] ServiceMonitor/strata/strata: scrapes gateway's port "http", which the Ingress makes public: serve /metrics on the port named "metrics"`,
    ]);
  });

  it('fails on the old Kafka broker: TCP readiness, default log4j files, GC logs', () => {
    const objects = render('prod');
    const kafka = pick<IStatefulSet>(objects, 'StatefulSet', 'kafka').spec!.template.spec!.containers[0];
    kafka.readinessProbe = { tcpSocket: { port: 'client' }, periodSeconds: 10 };
    kafka.env = kafka.env!.filter((e) => e.name !== 'KAFKA_LOG4J_OPTS' && e.name !== 'EXTRA_ARGS');
    expect(lines(checkKafkaBrokers(objects))).toEqual([
      '[kafka-broker] StatefulSet/strata/kafka: container "kafka": readiness is an open port; check that the broker is registered and in the ISR (an exec probe)',
      `[kafka-broker] StatefulSet/strata/kafka: container "kafka": KAFKA_LOG4J_OPTS does not name a log4j configuration; the image's default writes log files that are never deleted`,
      '[kafka-broker] StatefulSet/strata/kafka: container "kafka": GC log files are on (EXTRA_ARGS unset or with -loggc): set EXTRA_ARGS=-name kafkaServer',
    ]);
  });

  it('fails when the gateway does not declare the port it serves /metrics on', () => {
    const objects = render('prod');
    const gateway = pick<IDeployment>(objects, 'Deployment', 'gateway').spec!.template.spec!.containers[0];
    gateway.ports = gateway.ports!.filter((p) => p.name !== 'metrics');
    expect(lines(checkAppConfig(objects, ENV_NAMES))).toEqual([
      '[app-config] Deployment/strata/gateway: container "gateway": serves /metrics on 9464, which the container does not declare as its port named "metrics"',
    ]);
  });

  it('fails when the gateway would bind loopback (no API keys): nothing outside the pod reaches it', () => {
    const objects = render('dev');
    delete pick<{ stringData: Record<string, string> }>(objects, 'Secret', 'strata-secrets').stringData.STRATA_API_KEYS;
    expect(lines(checkAppConfig(objects, ENV_NAMES))).toEqual([
      '[app-config] Deployment/strata/gateway: container "gateway": binds 127.0.0.1 (no STRATA_API_KEYS, no HOST): its Service, probes and Ingress cannot reach it; configure API keys',
    ]);
  });
});
