import { type K8sObject, isRecord } from '../manifest';

/** The data of the ConfigMaps and Secrets in a render, by namespace and name. */
export class ConfigSources {
  private readonly byKey = new Map<string, Map<string, string>>();

  constructor(objects: readonly K8sObject[]) {
    for (const object of objects) {
      if (object.kind !== 'ConfigMap' && object.kind !== 'Secret') continue;
      const data = new Map<string, string>();
      for (const field of ['data', 'binaryData', 'stringData']) {
        const values = object[field];
        if (!isRecord(values)) continue;
        for (const [key, value] of Object.entries(values)) {
          const text = String(value);
          data.set(
            key,
            object.kind === 'Secret' && field === 'data' ? Buffer.from(text, 'base64').toString('utf8') : text,
          );
        }
      }
      this.byKey.set(this.key(object.kind, object.metadata.namespace, object.metadata.name), data);
    }
  }

  private key(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${namespace ?? ''}/${name}`;
  }

  /** The object's data, or undefined when the render has no such ConfigMap/Secret. */
  get(
    kind: 'ConfigMap' | 'Secret',
    namespace: string | undefined,
    name: string,
  ): ReadonlyMap<string, string> | undefined {
    return this.byKey.get(this.key(kind, namespace, name));
  }
}
