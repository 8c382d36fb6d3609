import { type IContainer } from 'kubernetes-models/v1/Container';
import { type IProbe } from 'kubernetes-models/v1/Probe';
import { type K8sObject, isLongRunning, objectRef, podTemplateOf } from '../manifest';
import { type Finding, finding } from './finding';

function probePort(probe: IProbe): number | string | undefined {
  return probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
}

function checkProbes(subject: string, container: IContainer, out: Finding[]): void {
  for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
    const probe = container[kind];
    if (!probe) {
      out.push(finding('probes', subject, `container "${container.name}" has no ${kind}`));
      continue;
    }
    const port = probePort(probe);
    if (typeof port === 'string' && !(container.ports ?? []).some((p) => p.name === port)) {
      out.push(
        finding(
          'probes',
          subject,
          `container "${container.name}" ${kind} uses port "${port}", which the container does not declare`,
        ),
      );
    }
  }
}

function checkResources(subject: string, container: IContainer, out: Finding[]): void {
  for (const bound of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (container.resources?.[bound]?.[resource] === undefined) {
        out.push(finding('resources', subject, `container "${container.name}" has no ${bound}.${resource}`));
      }
    }
  }
}

/**
 * Every container of every workload: readiness and liveness probes (long-running workloads; a probe's
 * named port must exist), CPU and memory requests and limits, and a locked-down security context —
 * non-root, read-only root file system, no privilege escalation, all capabilities dropped, seccomp
 * RuntimeDefault — with no service-account token mounted.
 */
export function checkContainerHardening(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  const serviceAccounts = new Map(
    objects
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => [`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]),
  );
  for (const object of objects) {
    const pod = podTemplateOf(object);
    if (!pod) continue;
    const subject = objectRef(object);
    const podSecurity = pod.spec.securityContext ?? {};
    const saName = pod.spec.serviceAccountName ?? 'default';
    const sa = serviceAccounts.get(`${object.metadata.namespace ?? ''}/${saName}`);
    const automount =
      pod.spec.automountServiceAccountToken ?? (sa?.automountServiceAccountToken as boolean | undefined);
    if (automount !== false) {
      out.push(finding('security', subject, 'mounts a service-account token: set automountServiceAccountToken: false'));
    }
    if (pod.spec.hostNetwork || pod.spec.hostPID || pod.spec.hostIPC) {
      out.push(finding('security', subject, 'uses a host namespace (hostNetwork, hostPID or hostIPC)'));
    }
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    for (const container of containers) {
      const isInit = (pod.spec.initContainers ?? []).includes(container);
      if (isLongRunning(object) && !isInit) checkProbes(subject, container, out);
      checkResources(subject, container, out);
      const sc = container.securityContext ?? {};
      const name = `container "${container.name}"`;
      if ((sc.runAsNonRoot ?? podSecurity.runAsNonRoot) !== true)
        out.push(finding('security', subject, `${name} may run as root: set runAsNonRoot: true`));
      if ((sc.runAsUser ?? podSecurity.runAsUser) === 0)
        out.push(finding('security', subject, `${name} runs as user 0`));
      if (sc.readOnlyRootFilesystem !== true)
        out.push(
          finding('security', subject, `${name} has a writable root file system: set readOnlyRootFilesystem: true`),
        );
      if (sc.allowPrivilegeEscalation !== false)
        out.push(
          finding('security', subject, `${name} allows privilege escalation: set allowPrivilegeEscalation: false`),
        );
      if (sc.privileged === true) out.push(finding('security', subject, `${name} is privileged`));
      if (!(sc.capabilities?.drop ?? []).includes('ALL'))
        out.push(finding('security', subject, `${name} keeps Linux capabilities: drop ALL`));
      if ((sc.capabilities?.add ?? []).length > 0)
        out.push(finding('security', subject, `${name} adds capabilities ${(sc.capabilities?.add ?? []).join(', ')}`));
      const seccomp = (sc.seccompProfile ?? podSecurity.seccompProfile)?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
        out.push(
          finding('security', subject, `${name} has no seccomp profile: set seccompProfile.type: RuntimeDefault`),
        );
      }
    }
  }
  return out;
}
