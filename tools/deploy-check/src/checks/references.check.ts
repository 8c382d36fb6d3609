import { type K8sObject, objectRef, podTemplateOf } from '../manifest';
import { ConfigSources } from './config-sources';
import { type Finding, finding } from './finding';

const CHECK = 'references';

/**
 * Every ConfigMap and Secret a pod reads (env valueFrom, envFrom, volumes) and every key it names exists.
 * ConfigMaps are all part of the render, so a missing one is an error unless the reference is optional.
 * Secrets are provisioned out of band in production: a Secret absent from the render is accepted, but
 * when the render has it (the dev example), every referenced key must be in it. Every volumeMount names
 * a volume (or a StatefulSet volume claim template).
 */
export function checkReferences(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  const sources = new ConfigSources(objects);
  for (const object of objects) {
    const pod = podTemplateOf(object);
    if (!pod) continue;
    const subject = objectRef(object);
    const ns = object.metadata.namespace;
    const ref = (
      kind: 'ConfigMap' | 'Secret',
      name: string,
      key: string | undefined,
      optional: boolean | undefined,
      where: string,
    ) => {
      const data = sources.get(kind, ns, name);
      if (!data) {
        if (kind === 'ConfigMap' && !optional)
          out.push(finding(CHECK, subject, `${where}: ConfigMap ${name} does not exist`));
        return;
      }
      if (key !== undefined && !data.has(key))
        out.push(finding(CHECK, subject, `${where}: ${kind} ${name} has no key ${key}`));
    };
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    for (const container of containers) {
      const where = `container "${container.name}"`;
      for (const env of container.env ?? []) {
        const cm = env.valueFrom?.configMapKeyRef;
        if (cm) ref('ConfigMap', cm.name ?? '', cm.key, cm.optional, `${where} env ${env.name}`);
        const secret = env.valueFrom?.secretKeyRef;
        if (secret) ref('Secret', secret.name ?? '', secret.key, secret.optional, `${where} env ${env.name}`);
      }
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef)
          ref('ConfigMap', source.configMapRef.name ?? '', undefined, source.configMapRef.optional, `${where} envFrom`);
        if (source.secretRef)
          ref('Secret', source.secretRef.name ?? '', undefined, source.secretRef.optional, `${where} envFrom`);
      }
      const claimTemplates =
        object.kind === 'StatefulSet'
          ? ((object.spec as { volumeClaimTemplates?: { metadata?: { name?: string } }[] }).volumeClaimTemplates ?? [])
          : [];
      const volumeNames = new Set([
        ...(pod.spec.volumes ?? []).map((v) => v.name),
        ...claimTemplates.map((t) => t.metadata?.name),
      ]);
      for (const mount of container.volumeMounts ?? []) {
        if (!volumeNames.has(mount.name))
          out.push(finding(CHECK, subject, `${where} mounts volume "${mount.name}", which the pod does not define`));
      }
    }
    for (const volume of pod.spec.volumes ?? []) {
      const where = `volume "${volume.name}"`;
      if (volume.configMap) {
        const items = volume.configMap.items ?? [];
        if (items.length === 0)
          ref('ConfigMap', volume.configMap.name ?? '', undefined, volume.configMap.optional, where);
        for (const item of items)
          ref('ConfigMap', volume.configMap.name ?? '', item.key, volume.configMap.optional, where);
      }
      if (volume.secret) {
        const items = volume.secret.items ?? [];
        if (items.length === 0) ref('Secret', volume.secret.secretName ?? '', undefined, volume.secret.optional, where);
        for (const item of items)
          ref('Secret', volume.secret.secretName ?? '', item.key, volume.secret.optional, where);
      }
      for (const source of volume.projected?.sources ?? []) {
        if (source.configMap)
          ref('ConfigMap', source.configMap.name ?? '', undefined, source.configMap.optional, where);
        if (source.secret) ref('Secret', source.secret.name ?? '', undefined, source.secret.optional, where);
      }
    }
  }
  return out;
}
