import { type IIoK8sApimachineryPkgApisMetaV1LabelSelector as LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';
import { type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { type IService } from 'kubernetes-models/v1/Service';
import { isEmptySelector, selects } from '../label-selector';
import { type K8sObject, type PodTemplate, isRecord, objectRef, podTemplateOf } from '../manifest';
import { strimziManaged } from '../strimzi-managed';
import { type Finding, finding } from './finding';

const CHECK = 'selectors';

function inNamespace(a: K8sObject, b: K8sObject): boolean {
  return (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '');
}

/**
 * What points at what: every Service selects the pods of a workload and targets ports they declare; every
 * PodDisruptionBudget and NetworkPolicy selects pods (an empty selector, all pods, is allowed for
 * policies) and every in-namespace policy peer selects pods too; HPAs, StatefulSet serviceNames,
 * serviceAccountNames, Ingress backends and ServiceMonitors name objects that exist.
 */
export function checkSelectors(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  // Pods an operator creates (Strimzi) are selectable too.
  const pods = [...objects, ...strimziManaged(objects)]
    .map(podTemplateOf)
    .filter((p): p is PodTemplate => p !== undefined);
  const podsFor = (object: K8sObject, selector: LabelSelector | undefined) =>
    pods.filter((p) => inNamespace(p.workload, object) && selects(selector, p.labels));
  const find = (kind: string, name: string, near: K8sObject) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name && inNamespace(o, near));

  for (const object of objects) {
    const subject = objectRef(object);
    switch (object.kind) {
      case 'Service': {
        const spec = (object as unknown as IService).spec ?? {};
        if (spec.type === 'ExternalName') break;
        if (!spec.selector || Object.keys(spec.selector).length === 0) {
          out.push(finding(CHECK, subject, 'has no selector'));
          break;
        }
        const selected = podsFor(object, { matchLabels: spec.selector });
        if (selected.length === 0) {
          out.push(finding(CHECK, subject, `selects no workload's pods (${JSON.stringify(spec.selector)})`));
          break;
        }
        for (const port of spec.ports ?? []) {
          const target = port.targetPort ?? port.port;
          const declared = selected.some((p) =>
            p.spec.containers.some((c) =>
              (c.ports ?? []).some((cp) =>
                typeof target === 'string' ? cp.name === target : cp.containerPort === target,
              ),
            ),
          );
          if (!declared)
            out.push(
              finding(
                CHECK,
                subject,
                `port ${port.name ?? port.port} targets ${String(target)}, which no selected container declares`,
              ),
            );
        }
        break;
      }
      case 'PodDisruptionBudget': {
        const selector = (object as unknown as IPodDisruptionBudget).spec?.selector;
        if (podsFor(object, selector).length === 0) out.push(finding(CHECK, subject, 'selects no pods'));
        break;
      }
      case 'NetworkPolicy': {
        const spec = (object as unknown as INetworkPolicy).spec;
        if (!isEmptySelector(spec?.podSelector) && podsFor(object, spec?.podSelector).length === 0) {
          out.push(finding(CHECK, subject, `podSelector selects no pods (${JSON.stringify(spec?.podSelector)})`));
        }
        const peers: INetworkPolicyPeer[] = [
          ...(spec?.ingress ?? []).flatMap((r) => r.from ?? []),
          ...(spec?.egress ?? []).flatMap((r) => r.to ?? []),
        ];
        for (const peer of peers) {
          if (
            peer.podSelector &&
            !peer.namespaceSelector &&
            !isEmptySelector(peer.podSelector) &&
            podsFor(object, peer.podSelector).length === 0
          ) {
            out.push(
              finding(
                CHECK,
                subject,
                `peer podSelector ${JSON.stringify(peer.podSelector)} selects no pods in the namespace`,
              ),
            );
          }
        }
        break;
      }
      case 'HorizontalPodAutoscaler': {
        const ref = (object as unknown as IHorizontalPodAutoscaler).spec?.scaleTargetRef;
        if (ref && !find(ref.kind, ref.name, object))
          out.push(finding(CHECK, subject, `scales ${ref.kind}/${ref.name}, which does not exist`));
        break;
      }
      case 'StatefulSet': {
        const serviceName = (object as unknown as IStatefulSet).spec?.serviceName;
        const service = serviceName ? find('Service', serviceName, object) : undefined;
        if (serviceName && !service) out.push(finding(CHECK, subject, `serviceName ${serviceName} names no Service`));
        break;
      }
      case 'Ingress': {
        const spec = (object as unknown as IIngress).spec;
        const backends = [
          spec?.defaultBackend,
          ...(spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend)),
        ];
        for (const backend of backends) {
          if (!backend?.service) continue;
          const service = find('Service', backend.service.name, object) as unknown as IService | undefined;
          if (!service) {
            out.push(finding(CHECK, subject, `backend Service ${backend.service.name} does not exist`));
            continue;
          }
          const wanted = backend.service.port;
          const ok = (service.spec?.ports ?? []).some((p) =>
            wanted?.name !== undefined ? p.name === wanted.name : p.port === wanted?.number,
          );
          if (!ok)
            out.push(
              finding(
                CHECK,
                subject,
                `backend port ${JSON.stringify(wanted)} is not a port of Service ${backend.service.name}`,
              ),
            );
        }
        break;
      }
      case 'ServiceMonitor': {
        const spec = (object as unknown as IServiceMonitor).spec;
        const services = objects.filter(
          (o) => o.kind === 'Service' && inNamespace(o, object) && selects(spec.selector, o.metadata.labels ?? {}),
        );
        if (services.length === 0) {
          out.push(finding(CHECK, subject, 'selects no Service'));
          break;
        }
        for (const endpoint of spec.endpoints ?? []) {
          const named = endpoint.port;
          if (
            named &&
            !services.some((s) => ((s as unknown as IService).spec?.ports ?? []).some((p) => p.name === named))
          ) {
            out.push(finding(CHECK, subject, `endpoint port "${named}" is a port of none of the selected Services`));
          }
        }
        break;
      }
      default:
        break;
    }
    const pod = podTemplateOf(object);
    if (pod) {
      const selector = isRecord(object.spec) ? (object.spec.selector as LabelSelector | undefined) : undefined;
      if (selector && !selects(selector, pod.labels))
        out.push(finding(CHECK, subject, 'its selector does not select its own pod template'));
      const sa = pod.spec.serviceAccountName;
      if (sa && !find('ServiceAccount', sa, object))
        out.push(finding(CHECK, subject, `serviceAccountName ${sa} names no ServiceAccount`));
    }
  }
  return out;
}
