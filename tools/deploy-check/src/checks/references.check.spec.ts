import { type K8sObject } from '../manifest';
import { cacheContainer, cachePodSpec, goodRender } from '../testing/manifests.fixture';
import { checkReferences } from './references.check';

describe(checkReferences.name, () => {
  const messages = (objects: K8sObject[]) => checkReferences(objects).map((f) => f.message);
  const withoutSecret = (objects: K8sObject[]) => objects.filter((o) => o.kind !== 'Secret');

  it('accepts references to ConfigMaps and Secrets that exist, with their keys', () => {
    expect(messages(goodRender())).toEqual([]);
  });

  it('refuses a missing ConfigMap (envFrom and volume)', () => {
    const objects = goodRender().filter((o) => o.kind !== 'ConfigMap');
    expect(messages(objects)).toEqual([
      'container "cache" envFrom: ConfigMap strata-config does not exist',
      'volume "config": ConfigMap strata-config-file does not exist',
    ]);
  });

  it('accepts a missing ConfigMap when the reference is optional', () => {
    const objects = goodRender().filter((o) => o.metadata.name !== 'strata-config');
    cacheContainer(objects).envFrom = [{ configMapRef: { name: 'strata-config', optional: true } }];
    expect(messages(objects)).toEqual([]);
  });

  it('refuses a key the ConfigMap does not have', () => {
    const objects = goodRender();
    cacheContainer(objects).env!.push({
      name: 'LOG_LEVEL',
      valueFrom: { configMapKeyRef: { name: 'strata-config', key: 'LOG_LEVL' } },
    });
    expect(messages(objects)).toEqual(['container "cache" env LOG_LEVEL: ConfigMap strata-config has no key LOG_LEVL']);
  });

  it('refuses a key a rendered Secret does not have, even when optional', () => {
    const objects = goodRender();
    cacheContainer(objects).env![1].valueFrom!.secretKeyRef!.key = 'QDRANT_APIKEY';
    expect(messages(objects)).toEqual([
      'container "cache" env QDRANT_API_KEY: Secret strata-secrets has no key QDRANT_APIKEY',
    ]);
  });

  it('accepts a Secret that is not rendered (provisioned out of band), optional or not', () => {
    const objects = withoutSecret(goodRender());
    cacheContainer(objects).env![1].valueFrom!.secretKeyRef!.optional = false;
    expect(messages(objects)).toEqual([]);
  });

  it('refuses a ConfigMap volume item with a missing key', () => {
    const objects = goodRender();
    cachePodSpec(objects).volumes![0].configMap!.items = [{ key: 'strata.yaml', path: 'strata.json' }];
    expect(messages(objects)).toEqual(['volume "config": ConfigMap strata-config-file has no key strata.yaml']);
  });

  it('refuses a volumeMount of a volume the pod does not define', () => {
    const objects = goodRender();
    cacheContainer(objects).volumeMounts!.push({ name: 'tmp', mountPath: '/tmp' });
    expect(messages(objects)).toEqual(['container "cache" mounts volume "tmp", which the pod does not define']);
  });
});
