import { type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type K8sObject, isRecord, objectRef } from '../manifest';
import { STRATA_APPS } from './app-config.check';
import { ConfigSources } from './config-sources';
import { type Finding, finding } from './finding';

/** The partitions a topic gets when KAFKA_TOPIC_PARTITIONS is not set (libs/config default). */
const DEFAULT_PARTITIONS = 6;

/**
 * A consumer group uses at most one consumer per partition, and NestJS request-reply gives each gateway
 * replica reply partitions of its own: a service scaled past KAFKA_TOPIC_PARTITIONS has replicas that
 * never get work (or never get their replies). So the most replicas any Strata service can have — its
 * HPA's maxReplicas, or its Deployment's replicas without an HPA — must not exceed the partitions.
 */
export function checkPartitions(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'strata-config');
  const raw = config
    ? new ConfigSources([config])
        .get('ConfigMap', config.metadata.namespace, 'strata-config')
        ?.get('KAFKA_TOPIC_PARTITIONS')
    : undefined;
  const partitions = raw === undefined || raw === '' ? DEFAULT_PARTITIONS : Number(raw);
  for (const app of STRATA_APPS) {
    const hpa = objects.find(
      (o) =>
        o.kind === 'HorizontalPodAutoscaler' &&
        (o as unknown as IHorizontalPodAutoscaler).spec?.scaleTargetRef.name === app,
    ) as (K8sObject & IHorizontalPodAutoscaler) | undefined;
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === app);
    const replicas =
      hpa?.spec?.maxReplicas ??
      (deployment && isRecord(deployment.spec) ? Number(deployment.spec.replicas ?? 1) : undefined);
    if (replicas !== undefined && replicas > partitions) {
      const subject = hpa ? objectRef(hpa) : objectRef(deployment!);
      out.push(
        finding(
          'partitions',
          subject,
          `${app} may run ${replicas} replicas but topics have ${partitions} partitions (KAFKA_TOPIC_PARTITIONS): replicas past ${partitions} get no partitions`,
        ),
      );
    }
  }
  return out;
}
