import { type StrataConfig } from '@strata/config';
import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { type INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import { type IService } from 'kubernetes-models/v1/Service';
import { type Labels, selects } from '../label-selector';
import { type K8sObject, type PodTemplate, objectRef, podTemplateOf } from '../manifest';
import { strimziManaged } from '../strimzi-managed';
import { type AppContainer, appContainers, loadedConfig } from './app-config.check';
import { type Finding, finding } from './finding';

const CHECK = 'network-flows';
const DNS_NAMESPACE = 'kube-system';

type Protocol = 'TCP' | 'UDP';

/** Where a connection goes: pods of this render, the cluster DNS (labels unknown), or outside the cluster. */
type Destination =
  | { readonly kind: 'pods'; readonly service: string; readonly pods: PodTemplate[]; readonly namespace: string }
  | { readonly kind: 'dns' }
  | { readonly kind: 'external'; readonly host: string };

/** One connection a workload opens because of its configuration. */
interface Flow {
  readonly what: string;
  readonly destination: Destination;
  readonly port: number;
  readonly protocol: Protocol;
}

/** Which dependencies each Strata service opens connections to (libs/runtime/src/adapters.ts and start-strata.ts). */
const USES: Readonly<Record<string, readonly ('kafka' | 'redis' | 'qdrant' | 'upstream' | 'embedding')[]>> = {
  gateway: ['kafka', 'upstream'],
  cache: ['kafka', 'redis', 'qdrant'],
  embedding: ['kafka', 'redis', 'embedding'],
  invalidation: ['kafka', 'redis'],
};

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  'http:': 80,
  'https:': 443,
  'redis:': 6379,
  'rediss:': 6379,
};

function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  const port = url.port !== '' ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? defaultPort);
  return { host: url.hostname, port };
}

function namespaceOf(object: K8sObject): string {
  return object.metadata.namespace ?? 'default';
}

class Cluster {
  readonly pods: PodTemplate[];
  private readonly services: K8sObject[];
  private readonly policies: (K8sObject & INetworkPolicy)[];
  private readonly namespaceLabels = new Map<string, Labels>();

  constructor(objects: readonly K8sObject[]) {
    this.pods = objects.map(podTemplateOf).filter((p): p is PodTemplate => p !== undefined);
    this.services = objects.filter((o) => o.kind === 'Service');
    this.policies = objects.filter((o) => o.kind === 'NetworkPolicy') as (K8sObject & INetworkPolicy)[];
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
      this.namespaceLabels.set(ns.metadata.name, ns.metadata.labels ?? {});
    }
  }

  labelsOfNamespace(name: string): Labels {
    return { ...this.namespaceLabels.get(name), 'kubernetes.io/metadata.name': name };
  }

  /**
   * The pods behind an in-cluster host name (`svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`, or a
   * StatefulSet pod's `pod.svc.ns.svc…`) and the container port a Service port leads to.
   */
  resolve(host: string, port: number, near: string): { destination: Destination; port: number } | undefined {
    const labels = host.replace(/\.svc(\.cluster\.local)?$/, '').split('.');
    const candidates: { name: string; namespace: string }[] = [];
    if (labels.length === 1) candidates.push({ name: labels[0], namespace: near });
    if (labels.length === 2) {
      candidates.push({ name: labels[0], namespace: labels[1] });
      candidates.push({ name: labels[1], namespace: near });
    }
    if (labels.length === 3) candidates.push({ name: labels[1], namespace: labels[2] });
    for (const { name, namespace } of candidates) {
      const service = this.services.find((s) => s.metadata.name === name && namespaceOf(s) === namespace) as
        (K8sObject & IService) | undefined;
      if (!service) continue;
      const pods = this.pods.filter(
        (p) =>
          namespaceOf(p.workload) === namespace && selects({ matchLabels: service.spec?.selector ?? {} }, p.labels),
      );
      const servicePort = (service.spec?.ports ?? []).find((p) => p.port === port);
      const target = servicePort?.targetPort ?? port;
      const containerPort =
        typeof target === 'number'
          ? target
          : pods.flatMap((p) => p.spec.containers.flatMap((c) => c.ports ?? [])).find((p) => p.name === target)
              ?.containerPort;
      return {
        destination: { kind: 'pods', service: `${namespace}/${name}`, pods, namespace },
        port: containerPort ?? port,
      };
    }
    return undefined;
  }

  /** The policies of the pod's namespace that select it and isolate it in that direction. */
  private isolating(pod: PodTemplate, direction: 'Ingress' | 'Egress'): (K8sObject & INetworkPolicy)[] {
    return this.policies.filter((policy) => {
      if (namespaceOf(policy) !== namespaceOf(pod.workload)) return false;
      if (!selects(policy.spec?.podSelector ?? {}, pod.labels)) return false;
      const types = policy.spec?.policyTypes ?? (policy.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      return types.includes(direction);
    });
  }

  private portMatches(
    rulePorts: INetworkPolicyPort[] | undefined,
    port: number,
    protocol: Protocol,
    named: PodTemplate | undefined,
  ): boolean {
    if (!rulePorts || rulePorts.length === 0) return true;
    return rulePorts.some((p) => {
      if ((p.protocol ?? 'TCP') !== protocol) return false;
      if (p.port === undefined) return true;
      if (typeof p.port === 'number')
        return p.endPort !== undefined ? port >= p.port && port <= p.endPort : p.port === port;
      return (named?.spec.containers ?? []).some((c) =>
        (c.ports ?? []).some((cp) => cp.name === p.port && cp.containerPort === port),
      );
    });
  }

  private peerMatches(
    peer: INetworkPolicyPeer,
    policyNamespace: string,
    target: { namespace: string; labels: Labels } | 'external',
  ): boolean {
    if (target === 'external') return peer.ipBlock !== undefined;
    if (peer.ipBlock) return false;
    const namespaceOk = peer.namespaceSelector
      ? selects(peer.namespaceSelector, this.labelsOfNamespace(target.namespace))
      : target.namespace === policyNamespace;
    return namespaceOk && (peer.podSelector === undefined || selects(peer.podSelector, target.labels));
  }

  /** Does some policy let `from` open this connection (its egress)? A pod no egress policy selects may. */
  egressAllowed(
    from: PodTemplate,
    to: { namespace: string; labels: Labels; pod?: PodTemplate } | 'external',
    port: number,
    protocol: Protocol,
  ): boolean {
    const policies = this.isolating(from, 'Egress');
    if (policies.length === 0) return true;
    return policies.some((policy) =>
      (policy.spec?.egress ?? []).some(
        (rule) =>
          this.portMatches(rule.ports, port, protocol, to === 'external' ? undefined : to.pod) &&
          (rule.to === undefined ||
            rule.to.length === 0 ||
            rule.to.some((peer) => this.peerMatches(peer, namespaceOf(policy), to))),
      ),
    );
  }

  /** Does some policy let `to` accept this connection from `from` (its ingress)? */
  ingressAllowed(to: PodTemplate, from: PodTemplate, port: number, protocol: Protocol): boolean {
    const policies = this.isolating(to, 'Ingress');
    if (policies.length === 0) return true;
    const source = { namespace: namespaceOf(from.workload), labels: from.labels };
    return policies.some((policy) =>
      (policy.spec?.ingress ?? []).some(
        (rule) =>
          this.portMatches(rule.ports, port, protocol, to) &&
          (rule.from === undefined ||
            rule.from.length === 0 ||
            rule.from.some((peer) => this.peerMatches(peer, namespaceOf(policy), source))),
      ),
    );
  }
}

function flowsOf(app: AppContainer, config: StrataConfig, cluster: Cluster): Flow[] {
  const near = namespaceOf(app.object);
  const flows: Flow[] = [
    { what: 'DNS', destination: { kind: 'dns' }, port: 53, protocol: 'UDP' },
    { what: 'DNS', destination: { kind: 'dns' }, port: 53, protocol: 'TCP' },
  ];
  const to = (what: string, address: string, defaultPort: number) => {
    const { host, port } = hostPort(address, defaultPort);
    const inCluster = cluster.resolve(host, port, near);
    flows.push(
      inCluster
        ? { what: `${what} (${address})`, destination: inCluster.destination, port: inCluster.port, protocol: 'TCP' }
        : { what: `${what} (${address})`, destination: { kind: 'external', host }, port, protocol: 'TCP' },
    );
  };
  /** Set from a Secret outside the render: the host is unknown, so it is outside the cluster (managed). */
  const external = (what: string, envName: string, port: number) => {
    if (app.env.external.has(envName))
      flows.push({
        what: `${what} (${envName} from a Secret)`,
        destination: { kind: 'external', host: '?' },
        port,
        protocol: 'TCP',
      });
  };
  for (const uses of USES[app.container.name] ?? []) {
    switch (uses) {
      case 'kafka':
        for (const broker of config.kafka.brokers) to('Kafka', broker, 9092);
        break;
      case 'redis':
        // Redis Cluster: the client opens a connection to every node; each seed must be reachable (and
        // the seeds of the render are the nodes of the StatefulSet behind them). It wins over REDIS_URL.
        if (config.redis.clusterNodes && config.redis.clusterNodes.length > 0)
          for (const node of config.redis.clusterNodes) to('Redis Cluster node', node, 6379);
        else if (config.redis.url) to('Redis', config.redis.url, 6379);
        else external('Redis', 'REDIS_URL', 6379);
        break;
      case 'qdrant':
        if (config.qdrant.url) to('Qdrant', config.qdrant.url, 6333);
        break;
      case 'upstream':
        if (config.upstream.url) to('the upstream LLM', config.upstream.url, 443);
        for (const route of config.upstream.routes ?? []) to('the upstream LLM', route.url, 443);
        break;
      case 'embedding':
        if (config.embedding.provider === 'openai' && config.embedding.url)
          to('the embedding provider', config.embedding.url, 443);
        break;
    }
  }
  return flows;
}

/** The ports the members of a clustered store open to each other (container args and env of the pod). */
function peerPorts(pod: PodTemplate): { what: string; ports: number[] } | undefined {
  for (const container of pod.spec.containers) {
    const args = [...(container.command ?? []), ...(container.args ?? [])];
    const i = args.indexOf('--cluster-enabled');
    if (i >= 0 && args[i + 1] === 'yes')
      // Replication and the CLUSTER commands on the data port, gossip and failover on the cluster bus.
      return { what: 'Redis Cluster', ports: [6379, 16379] };
    const env = new Map((container.env ?? []).map((e) => [e.name, e.value]));
    if (env.get('QDRANT__CLUSTER__ENABLED') === 'true')
      return { what: 'Qdrant cluster (p2p)', ports: [Number(env.get('QDRANT__CLUSTER__P2P__PORT') ?? 6335)] };
  }
  return undefined;
}

/**
 * The members of a Redis Cluster or a distributed Qdrant (every pod of the workload) must reach each other
 * on their peer ports, in both directions; a denied cluster bus splits the cluster.
 */
function checkPeerFlows(cluster: Cluster): Finding[] {
  const out: Finding[] = [];
  for (const pod of cluster.pods) {
    const peers = peerPorts(pod);
    if (!peers) continue;
    const subject = objectRef(pod.workload);
    const self = { namespace: namespaceOf(pod.workload), labels: pod.labels, pod };
    for (const port of peers.ports) {
      if (!cluster.egressAllowed(pod, self, port, 'TCP'))
        out.push(finding(CHECK, subject, `egress to its ${peers.what} peers on TCP ${port} is not allowed`));
      if (!cluster.ingressAllowed(pod, pod, port, 'TCP'))
        out.push(finding(CHECK, subject, `ingress from its ${peers.what} peers on TCP ${port} is not allowed`));
    }
  }
  return out;
}

/**
 * Every connection a Strata service is configured to open — Kafka, Redis, Qdrant, the upstream LLM, the
 * embedding provider, DNS — is allowed by the NetworkPolicies in both directions: the client's egress
 * and, for pods of this render, the server's ingress (on the container port the Service leads to). DNS
 * must be allowed to kube-system without relying on the DNS pods' labels (CoreDNS, kube-dns and
 * NodeLocal DNSCache are labelled differently across distributions). A flow that is denied fails at run
 * time only on clusters that enforce NetworkPolicy — exactly the ones the policies are written for.
 */
export function checkNetworkFlows(objects: readonly K8sObject[]): Finding[] {
  const cluster = new Cluster([...objects, ...strimziManaged(objects)]);
  const out: Finding[] = [];
  for (const app of appContainers(objects)) {
    const config = loadedConfig(app);
    if (!config) continue;
    const subject = objectRef(app.object);
    const client = app.pod;
    for (const flow of flowsOf(app, config, cluster)) {
      const at = `${flow.what} on ${flow.protocol} ${flow.port}`;
      const d = flow.destination;
      if (d.kind === 'dns') {
        const dnsPod = { namespace: DNS_NAMESPACE, labels: {} };
        if (!cluster.egressAllowed(client, dnsPod, flow.port, flow.protocol))
          out.push(
            finding(
              CHECK,
              subject,
              `egress to ${at} is not allowed to every pod of ${DNS_NAMESPACE} (do not rely on the DNS pods' labels)`,
            ),
          );
        continue;
      }
      if (d.kind === 'external') {
        if (!cluster.egressAllowed(client, 'external', flow.port, flow.protocol))
          out.push(
            finding(CHECK, subject, `egress to ${at} (outside the cluster) is not allowed by any NetworkPolicy`),
          );
        continue;
      }
      if (d.pods.length === 0) {
        out.push(finding(CHECK, subject, `${flow.what}: Service ${d.service} selects no pods`));
        continue;
      }
      for (const server of d.pods) {
        const target = { namespace: d.namespace, labels: server.labels, pod: server };
        if (!cluster.egressAllowed(client, target, flow.port, flow.protocol))
          out.push(
            finding(
              CHECK,
              subject,
              `egress to ${at} (${objectRef(server.workload)}) is not allowed by its NetworkPolicies`,
            ),
          );
        if (!cluster.ingressAllowed(server, client, flow.port, flow.protocol))
          out.push(
            finding(
              CHECK,
              objectRef(server.workload),
              `ingress from ${app.object.metadata.name} (${at}) is not allowed by its NetworkPolicies`,
            ),
          );
      }
    }
  }
  out.push(...checkPeerFlows(cluster));
  return out;
}
