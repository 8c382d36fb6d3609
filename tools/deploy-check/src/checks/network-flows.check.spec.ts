import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type K8sObject } from '../manifest';
import { goodRender, pick } from '../testing/manifests.fixture';
import { checkNetworkFlows } from './network-flows.check';

/** The fixture's cache Deployment plus a Redis it talks to, behind a Service with a named target port. */
function withRedis(): K8sObject[] {
  const objects = goodRender();
  const redisLabels = { 'app.kubernetes.io/name': 'redis' };
  objects.push(
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'redis', namespace: 'strata' },
      spec: {
        selector: { matchLabels: redisLabels },
        template: {
          metadata: { labels: redisLabels },
          spec: { containers: [{ name: 'redis', image: 'redis:7', ports: [{ name: 'redis', containerPort: 6379 }] }] },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'redis', namespace: 'strata' },
      spec: { selector: redisLabels, ports: [{ port: 6379, targetPort: 'redis' }] },
    },
  );
  return objects;
}

const messages = (objects: K8sObject[]) =>
  checkNetworkFlows(objects)
    .filter((f) => f.message.includes('Redis'))
    .map((f) => `${f.subject}: ${f.message}`);

describe(checkNetworkFlows.name, () => {
  it('allows a flow no policy isolates (pods without egress or ingress policies)', () => {
    const objects = withRedis();
    pick<INetworkPolicy>(objects, 'NetworkPolicy', 'cache').spec!.policyTypes = ['Ingress'];
    expect(messages(objects)).toEqual([]);
  });

  it('refuses egress the client is isolated from, and ingress the server is isolated from', () => {
    const objects = withRedis();
    const cache = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'cache');
    cache.spec!.egress = [];
    cache.spec!.policyTypes = ['Ingress', 'Egress'];
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'redis', namespace: 'strata' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
        policyTypes: ['Ingress'],
        ingress: [],
      },
    });
    expect(messages(objects)).toEqual([
      'Deployment/strata/cache: egress to Redis (redis://redis:6379) on TCP 6379 (StatefulSet/strata/redis) is not allowed by its NetworkPolicies',
      'StatefulSet/strata/redis: ingress from cache (Redis (redis://redis:6379) on TCP 6379) is not allowed by its NetworkPolicies',
    ]);
  });

  it('matches rules by named container port, and by namespace selector on the server side', () => {
    const objects = withRedis();
    const cache = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'cache');
    cache.spec!.egress = [
      {
        to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } } }],
        ports: [{ protocol: 'TCP', port: 'redis' }],
      },
    ];
    objects.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'redis', namespace: 'strata' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'strata' } } }],
            ports: [{ port: 6379 }],
          },
        ],
      },
    });
    expect(messages(objects)).toEqual([]);
  });

  it('does not let an ipBlock rule stand in for a pod of the cluster', () => {
    const objects = withRedis();
    const cache = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'cache');
    cache.spec!.egress = [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 6379 }] }];
    expect(messages(objects)).toEqual([
      'Deployment/strata/cache: egress to Redis (redis://redis:6379) on TCP 6379 (StatefulSet/strata/redis) is not allowed by its NetworkPolicies',
    ]);
  });
});
