import { type K8sObject } from '../manifest';
import { goodRender, pick } from '../testing/manifests.fixture';
import { checkPartitions } from './partitions.check';

describe(checkPartitions.name, () => {
  const messages = (objects: K8sObject[]) => checkPartitions(objects).map((f) => `${f.subject}: ${f.message}`);
  const setPartitions = (objects: K8sObject[], value: string) => {
    pick<{ data: Record<string, string> }>(objects, 'ConfigMap', 'strata-config').data.KAFKA_TOPIC_PARTITIONS = value;
  };

  it('accepts services that cannot scale past the partitions', () => {
    const objects = goodRender();
    setPartitions(objects, '3');
    expect(messages(objects)).toEqual([]);
  });

  it('refuses an HPA whose maxReplicas exceeds the partitions', () => {
    const objects = goodRender();
    setPartitions(objects, '2');
    expect(messages(objects)).toEqual([
      'HorizontalPodAutoscaler/strata/cache: cache may run 3 replicas but topics have 2 partitions (KAFKA_TOPIC_PARTITIONS): replicas past 2 get no partitions',
    ]);
  });

  it('uses the Deployment replicas without an HPA, and the default of 6 partitions without the setting', () => {
    const objects = goodRender().filter((o) => o.kind !== 'HorizontalPodAutoscaler');
    pick<{ spec: { replicas: number } }>(objects, 'Deployment', 'cache').spec.replicas = 7;
    expect(messages(objects)).toEqual([
      'Deployment/strata/cache: cache may run 7 replicas but topics have 6 partitions (KAFKA_TOPIC_PARTITIONS): replicas past 6 get no partitions',
    ]);
  });
});
