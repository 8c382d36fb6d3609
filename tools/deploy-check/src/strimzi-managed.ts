import { type K8sObject } from './manifest';

/**
 * What the Strimzi operator creates for a `Kafka` and its broker `KafkaNodePool`s, as far as traffic goes:
 * the bootstrap Service `<cluster>-kafka-bootstrap`, the broker pods (labelled as Strimzi labels them) with
 * the listener ports, the Kafka Exporter and entity operator pods, and Strimzi's NetworkPolicy that opens each listener (to its `networkPolicyPeers`, or
 * to everyone when it has none). Modelled so selectors and flows that involve a Strimzi Kafka are checked like any other.
 */
export function strimziManaged(objects: readonly K8sObject[]): K8sObject[] {
  const out: K8sObject[] = [];
  const isStrimzi = (o: K8sObject, kind: string) => o.apiVersion.startsWith('kafka.strimzi.io/') && o.kind === kind;
  for (const kafka of objects.filter((o) => isStrimzi(o, 'Kafka'))) {
    const name = kafka.metadata.name;
    const namespace = kafka.metadata.namespace;
    const spec = (kafka.spec ?? {}) as { kafka?: { listeners?: { port: number; networkPolicyPeers?: unknown[] }[] } };
    const listeners = spec.kafka?.listeners ?? [];
    const selector = { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'Kafka', 'strimzi.io/broker-role': 'true' };
    const ports = listeners.map((l) => ({ name: `tcp-${l.port}`, containerPort: l.port }));
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${name}-kafka-bootstrap`, namespace },
      spec: { selector, ports: listeners.map((l) => ({ port: l.port, targetPort: l.port })) },
    });
    for (const pool of objects.filter(
      (o) => isStrimzi(o, 'KafkaNodePool') && o.metadata.labels?.['strimzi.io/cluster'] === name,
    )) {
      const roles = ((pool.spec ?? {}) as { roles?: string[] }).roles ?? [];
      if (!roles.includes('broker')) continue;
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${name}-${pool.metadata.name}-0`,
          namespace,
          labels: {
            ...selector,
            'app.kubernetes.io/name': 'kafka',
            'strimzi.io/name': `${name}-kafka`,
            'strimzi.io/pool-name': pool.metadata.name,
          },
        },
        spec: { containers: [{ name: 'kafka', ports }] },
      });
    }
    const pod = (podName: string, component: string, containerPorts: { name: string; containerPort: number }[]) =>
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace,
          labels: { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'Kafka', 'strimzi.io/name': `${name}-${component}` },
        },
        spec: { containers: [{ name: component, ports: containerPorts }] },
      });
    const extras = (kafka.spec ?? {}) as { kafkaExporter?: unknown; entityOperator?: unknown };
    if (extras.kafkaExporter)
      pod(`${name}-kafka-exporter-0`, 'kafka-exporter', [{ name: 'tcp-prometheus', containerPort: 9404 }]);
    if (extras.entityOperator) pod(`${name}-entity-operator-0`, 'entity-operator', []);
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${name}-network-policy-kafka`, namespace },
      spec: {
        podSelector: { matchLabels: { 'strimzi.io/name': `${name}-kafka` } },
        policyTypes: ['Ingress'],
        ingress: listeners.map((l) => ({
          ports: [{ protocol: 'TCP', port: l.port }],
          ...(l.networkPolicyPeers ? { from: l.networkPolicyPeers } : {}),
        })),
      },
    });
  }
  return out;
}
