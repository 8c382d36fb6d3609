import { join } from 'node:path';
import { type K8sObject } from '../manifest';
import { cacheContainer, cachePodSpec, goodRender, pick } from '../testing/manifests.fixture';
import { checkFieldsWithTypes, validateAgainstSchemas } from './validate-schema';

const ROOT = join(__dirname, '../../../..');

describe(validateAgainstSchemas.name, () => {
  const messages = (objects: K8sObject[]) => validateAgainstSchemas(objects).map((f) => `${f.subject}: ${f.message}`);

  it('accepts valid objects', () => {
    expect(messages(goodRender())).toEqual([]);
  });

  it('refuses wrong types and missing required fields', () => {
    const objects = goodRender();
    pick<{ spec: { replicas: unknown } }>(objects, 'Deployment', 'cache').spec.replicas = 'two';
    delete (cacheContainer(objects) as { name?: string }).name;
    expect(messages(objects)).toEqual([
      'Deployment/strata/cache: spec.replicas must be integer',
      'Deployment/strata/cache: spec.template.spec.containers.0 must have required property name',
    ]);
  });

  it('refuses a kind it has no schema for', () => {
    const objects: K8sObject[] = [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }];
    expect(messages(objects)).toEqual(['Widget/w: no schema for example.com/v1 Widget (add it to schema/kinds.ts)']);
  });
});

describe(checkFieldsWithTypes.name, () => {
  const messages = (objects: K8sObject[]) =>
    checkFieldsWithTypes(objects, ROOT).map((f) => `${f.subject}: ${f.message}`);

  it('accepts objects whose every field is known', () => {
    expect(messages(goodRender())).toEqual([]);
  });

  it('refuses an unknown field, naming its path', () => {
    const objects = goodRender();
    (cacheContainer(objects) as unknown as Record<string, unknown>).readinesProbe = { httpGet: { port: 'metrics' } };
    expect(messages(objects)).toEqual([
      expect.stringMatching(
        /^Deployment\/strata\/cache: spec\.template\.spec\.containers\.0\.readinesProbe: .*readinesProbe\W* does not exist/,
      ),
    ]);
  });

  it('refuses a field of the wrong type that the JSON schema would let through as another shape', () => {
    const objects = goodRender();
    (cachePodSpec(objects) as unknown as Record<string, unknown>).automountServiceAccountToken = 'false';
    expect(messages(objects)).toEqual([
      expect.stringMatching(
        /^Deployment\/strata\/cache: spec\.template\.spec\.automountServiceAccountToken: Type 'string' is not assignable to type 'boolean/,
      ),
    ]);
  });

  it('checks custom resources too (ServiceMonitor)', () => {
    const monitor: K8sObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'm' },
      spec: { selector: {}, endpoints: [{ port: 'metrics', intervall: '15s' }] },
    };
    expect(messages([monitor])).toEqual([expect.stringMatching(/^ServiceMonitor\/m: spec\.endpoints\.0\.intervall: /)]);
  });
});
