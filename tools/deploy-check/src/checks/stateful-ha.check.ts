import { type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { type IPodAffinityTerm } from 'kubernetes-models/v1/PodAffinityTerm';
import { type Labels, selects } from '../label-selector';
import { type K8sObject, objectRef } from '../manifest';
import { type Finding, finding } from './finding';

const CHECK = 'stateful-ha';
const MIN_REPLICAS = 3;

const namespaceOf = (object: K8sObject) => object.metadata.namespace ?? 'default';

/** Does the term keep the pods of the set apart (it selects them, per node or zone)? */
function spreads(term: IPodAffinityTerm, labels: Labels): boolean {
  return term.topologyKey !== '' && selects(term.labelSelector ?? {}, labels);
}

/**
 * Production's stateful backends (the in-cluster Kafka, Redis and Qdrant StatefulSets) are highly
 * available: at least 3 replicas, a PodDisruptionBudget that selects their pods (so a node drain takes one
 * at a time), and pod anti-affinity or a topology spread over their own pods (so one node does not hold
 * them all). A prod overlay that runs none in the cluster (managed services, Strimzi) passes: the provider
 * or operator provides the HA.
 */
export function checkStatefulHa(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as (K8sObject & IPodDisruptionBudget)[];
  for (const object of objects.filter((o) => o.kind === 'StatefulSet')) {
    const set = object as K8sObject & IStatefulSet;
    const subject = objectRef(object);
    const labels: Labels = set.spec?.template.metadata?.labels ?? {};
    const replicas = set.spec?.replicas ?? 1;
    if (replicas < MIN_REPLICAS)
      out.push(finding(CHECK, subject, `runs ${replicas} replica(s): production needs at least ${MIN_REPLICAS}`));
    const pdb = pdbs.find((p) => namespaceOf(p) === namespaceOf(object) && selects(p.spec?.selector ?? {}, labels));
    if (!pdb) out.push(finding(CHECK, subject, 'no PodDisruptionBudget selects its pods'));
    const spec = set.spec?.template.spec;
    const anti = spec?.affinity?.podAntiAffinity;
    const apart =
      (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).some((t) => spreads(t, labels)) ||
      (anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((t) => spreads(t.podAffinityTerm, labels)) ||
      (spec?.topologySpreadConstraints ?? []).some(
        (c) => c.topologyKey !== '' && selects(c.labelSelector ?? {}, labels),
      );
    if (!apart)
      out.push(
        finding(
          CHECK,
          subject,
          'has no pod anti-affinity (or topology spread) over its own pods: one node could hold every replica',
        ),
      );
  }
  for (const pool of objects.filter((o) => o.kind === 'KafkaNodePool')) {
    const replicas = (pool.spec as { replicas?: number } | undefined)?.replicas ?? 0;
    if (replicas < MIN_REPLICAS)
      out.push(finding(CHECK, objectRef(pool), `runs ${replicas} node(s): production needs at least ${MIN_REPLICAS}`));
  }
  return out;
}
