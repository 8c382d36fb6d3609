import { type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type K8sObject, isRecord, objectRef } from '../manifest';
import { type Finding, finding } from './finding';

/**
 * A workload an HPA scales sets no `replicas`: every `kubectl apply` would reset the HPA's choice to the
 * manifest's number (a rollout under load drops to 2 pods, then the HPA climbs back), and the HPA's
 * minReplicas is the place that says how many to start with.
 */
export function checkHpaReplicas(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) {
    const ref = (hpa as unknown as IHorizontalPodAutoscaler).spec?.scaleTargetRef;
    if (!ref) continue;
    const target = objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        (o.metadata.namespace ?? '') === (hpa.metadata.namespace ?? ''),
    );
    if (target && isRecord(target.spec) && target.spec.replicas !== undefined) {
      out.push(
        finding(
          'hpa-replicas',
          objectRef(target),
          `sets replicas: ${JSON.stringify(target.spec.replicas)} but ${objectRef(hpa)} scales it: remove replicas (set minReplicas on the HPA instead)`,
        ),
      );
    }
  }
  return out;
}
