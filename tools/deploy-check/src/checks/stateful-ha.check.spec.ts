import { join } from 'node:path';
import { type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { renderKustomization } from '../kustomize/kustomize';
import { type K8sObject } from '../manifest';
import { isProduction } from '../run-checks';
import { type Finding, formatFinding } from './finding';
import { checkStatefulHa } from './stateful-ha.check';

const OVERLAYS = join(__dirname, '../../../../deploy/overlays');
const renders = new Map<string, K8sObject[]>();
function render(overlay: string): K8sObject[] {
  if (!renders.has(overlay)) renders.set(overlay, renderKustomization(join(OVERLAYS, overlay)));
  return structuredClone(renders.get(overlay)!);
}
const set = (objects: K8sObject[], name: string) =>
  objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === name) as unknown as IStatefulSet;
const lines = (findings: Finding[]) => findings.map(formatFinding);

describe(checkStatefulHa.name, () => {
  it.each(['prod', 'prod-managed', 'prod-strimzi'])('passes %s', (overlay) => {
    expect(lines(checkStatefulHa(render(overlay)))).toEqual([]);
  });

  it('runs on the production overlays only', () => {
    expect(['dev', 'prod', 'prod-managed', 'prod-strimzi', 'production-like'].filter(isProduction)).toEqual([
      'prod',
      'prod-managed',
      'prod-strimzi',
    ]);
  });

  it('fails the single-replica stores of dev (replicas, PDB, anti-affinity)', () => {
    expect(lines(checkStatefulHa(render('dev'))).filter((l) => !l.includes('StatefulSet/strata/kafka'))).toEqual([
      '[stateful-ha] StatefulSet/strata/redis: runs 1 replica(s): production needs at least 3',
      '[stateful-ha] StatefulSet/strata/redis: no PodDisruptionBudget selects its pods',
      '[stateful-ha] StatefulSet/strata/redis: has no pod anti-affinity (or topology spread) over its own pods: one node could hold every replica',
      '[stateful-ha] StatefulSet/strata/qdrant: runs 1 replica(s): production needs at least 3',
      '[stateful-ha] StatefulSet/strata/qdrant: no PodDisruptionBudget selects its pods',
      '[stateful-ha] StatefulSet/strata/qdrant: has no pod anti-affinity (or topology spread) over its own pods: one node could hold every replica',
    ]);
  });

  it('fails when prod Qdrant drops to 2 peers, loses its PDB, or its anti-affinity selects other pods', () => {
    const objects = render('prod').filter((o) => !(o.kind === 'PodDisruptionBudget' && o.metadata.name === 'qdrant'));
    const qdrant = set(objects, 'qdrant');
    qdrant.spec!.replicas = 2;
    qdrant.spec!.template.spec!.affinity!.podAntiAffinity!.requiredDuringSchedulingIgnoredDuringExecution![0].labelSelector =
      { matchLabels: { 'app.kubernetes.io/name': 'redis' } };
    expect(lines(checkStatefulHa(objects))).toEqual([
      '[stateful-ha] StatefulSet/strata/qdrant: runs 2 replica(s): production needs at least 3',
      '[stateful-ha] StatefulSet/strata/qdrant: no PodDisruptionBudget selects its pods',
      '[stateful-ha] StatefulSet/strata/qdrant: has no pod anti-affinity (or topology spread) over its own pods: one node could hold every replica',
    ]);
  });

  it('fails a Strimzi node pool of fewer than 3 nodes', () => {
    const objects = render('prod-strimzi');
    const pool = objects.find((o) => o.kind === 'KafkaNodePool')!;
    (pool.spec as { replicas: number }).replicas = 1;
    expect(lines(checkStatefulHa(objects))).toEqual([
      expect.stringMatching(
        /^\[stateful-ha\] KafkaNodePool\/strata\/.*: runs 1 node\(s\): production needs at least 3$/,
      ),
    ]);
  });
});
