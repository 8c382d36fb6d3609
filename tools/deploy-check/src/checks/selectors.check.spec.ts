import { type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { type IService } from 'kubernetes-models/v1/Service';
import { type K8sObject } from '../manifest';
import { cachePodSpec, goodRender, pick } from '../testing/manifests.fixture';
import { checkSelectors } from './selectors.check';

describe(checkSelectors.name, () => {
  const messages = (objects: K8sObject[]) => checkSelectors(objects).map((f) => `${f.subject}: ${f.message}`);

  it('accepts objects that point at what exists', () => {
    expect(messages(goodRender())).toEqual([]);
  });

  it('refuses a Service that selects no workload', () => {
    const objects = goodRender();
    pick<IService>(objects, 'Service', 'cache').spec!.selector = { 'app.kubernetes.io/name': 'cahce' };
    expect(messages(objects)).toEqual([
      'Service/strata/cache: selects no workload\'s pods ({"app.kubernetes.io/name":"cahce"})',
    ]);
  });

  it('refuses a Service whose targetPort no selected container declares', () => {
    const objects = goodRender();
    pick<IService>(objects, 'Service', 'cache').spec!.ports = [{ name: 'http', port: 80, targetPort: 8080 }];
    expect(messages(objects)).toEqual([
      'Service/strata/cache: port http targets 8080, which no selected container declares',
    ]);
  });

  it('refuses a Service in another namespace than the pods', () => {
    const objects = goodRender();
    pick<IService>(objects, 'Service', 'cache').metadata!.namespace = 'elsewhere';
    expect(messages(objects)[0]).toMatch(/^Service\/elsewhere\/cache: selects no workload's pods/);
  });

  it('refuses a NetworkPolicy whose podSelector selects no pods, and accepts {} (all pods)', () => {
    const objects = goodRender();
    const policy = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'cache');
    policy.spec!.podSelector = { matchLabels: { 'app.kubernetes.io/name': 'nothing' } };
    expect(messages(objects)).toEqual([
      'NetworkPolicy/strata/cache: podSelector selects no pods ({"matchLabels":{"app.kubernetes.io/name":"nothing"}})',
    ]);
    policy.spec!.podSelector = {};
    expect(messages(objects)).toEqual([]);
  });

  it('refuses a NetworkPolicy peer that selects no pods in the namespace, but not one in other namespaces', () => {
    const objects = goodRender();
    const policy = pick<INetworkPolicy>(objects, 'NetworkPolicy', 'cache');
    policy.spec!.egress = [{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kafak' } } }] }];
    expect(messages(objects)).toEqual([
      'NetworkPolicy/strata/cache: peer podSelector {"matchLabels":{"app.kubernetes.io/name":"kafak"}} selects no pods in the namespace',
    ]);
    policy.spec!.egress[0].to![0].namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } };
    expect(messages(objects)).toEqual([]);
  });

  it('refuses a PodDisruptionBudget that selects no pods', () => {
    const objects = goodRender();
    pick<IPodDisruptionBudget>(objects, 'PodDisruptionBudget', 'cache').spec!.selector = {
      matchExpressions: [{ key: 'tier', operator: 'Exists' }],
    };
    expect(messages(objects)).toEqual(['PodDisruptionBudget/strata/cache: selects no pods']);
  });

  it('refuses an HPA that scales a missing Deployment', () => {
    const objects = goodRender();
    pick<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler', 'cache').spec!.scaleTargetRef.name = 'cash';
    expect(messages(objects)).toEqual([
      'HorizontalPodAutoscaler/strata/cache: scales Deployment/cash, which does not exist',
    ]);
  });

  it('refuses a serviceAccountName that names no ServiceAccount', () => {
    const objects = goodRender();
    cachePodSpec(objects).serviceAccountName = 'other';
    expect(messages(objects)).toEqual(['Deployment/strata/cache: serviceAccountName other names no ServiceAccount']);
  });

  it('refuses a ServiceMonitor that selects no Service, or names a port none of them has', () => {
    const monitor = (labels: Record<string, string>, port: string): K8sObject => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'strata', namespace: 'strata' },
      spec: { selector: { matchLabels: labels }, endpoints: [{ port }] },
    });
    expect(messages([...goodRender(), monitor({ 'app.kubernetes.io/component': 'service' }, 'metrics')])).toEqual([]);
    expect(messages([...goodRender(), monitor({ 'app.kubernetes.io/component': 'servce' }, 'metrics')])).toEqual([
      'ServiceMonitor/strata/strata: selects no Service',
    ]);
    expect(messages([...goodRender(), monitor({ 'app.kubernetes.io/component': 'service' }, 'http')])).toEqual([
      'ServiceMonitor/strata/strata: endpoint port "http" is a port of none of the selected Services',
    ]);
  });
});
