import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type K8sObject } from '../manifest';
import { KustomizeError, renderKustomization } from './kustomize';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels: { app.kubernetes.io/name: api }
spec:
  selector: { matchLabels: { app.kubernetes.io/name: api } }
  template:
    metadata: { labels: { app.kubernetes.io/name: api } }
    spec:
      containers:
        - name: api
          image: strata/api:latest
          env:
            - { name: A, value: "1" }
            - { name: B, value: "2" }
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: api
  labels: { app.kubernetes.io/name: api }
spec:
  selector: { app.kubernetes.io/name: api }
  ports: [{ port: 80 }]
`;

describe(renderKustomization.name, () => {
  let root: string;
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  };
  const render = (dir: string) => renderKustomization(join(root, dir));
  /** Specs read deep, loosely shaped fields. */
  type Loose = K8sObject & { spec: any; data?: unknown }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const get = (objects: K8sObject[], kind: string) => objects.find((o) => o.kind === kind) as Loose;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kustomize-spec-'));
    write({
      'base/kustomization.yaml': 'resources: [app.yaml, config]\nnamespace: demo\n',
      'base/app.yaml': `${DEPLOYMENT}---\n${SERVICE}`,
      'base/config/kustomization.yaml':
        'generatorOptions: { disableNameSuffixHash: true }\nconfigMapGenerator:\n  - name: files\n    files: [settings.json, renamed.txt=other.txt]\n    literals: [MODE=x]\n',
      'base/config/settings.json': '{"a":1}',
      'base/config/other.txt': 'hello',
    });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('loads file and directory resources, generates ConfigMaps and sets the namespace', () => {
    const objects = render('base');
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Deployment/demo/api',
      'Service/demo/api',
      'ConfigMap/demo/files',
    ]);
    expect(get(objects, 'ConfigMap').data).toEqual({ 'settings.json': '{"a":1}', 'renamed.txt': 'hello', MODE: 'x' });
  });

  it('merges strategic patches: lists by merge key, patch items first, null deletes', () => {
    write({
      'overlay/kustomization.yaml': 'resources: [../base]\npatches:\n  - path: patch.yaml\n',
      'overlay/patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: api }
spec:
  replicas: 3
  selector: null
  template:
    spec:
      containers:
        - name: api
          env:
            - { name: B, value: "20" }
            - { name: C, value: "3" }
`,
    });
    const deployment = get(render('overlay'), 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.selector).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0].env).toEqual([
      { name: 'B', value: '20' },
      { name: 'C', value: '3' },
      { name: 'A', value: '1' },
    ]);
  });

  it('deletes every resource matched by a label-selector target with $patch: delete', () => {
    write({
      'overlay/kustomization.yaml': `resources: [../base]
patches:
  - target: { labelSelector: "app.kubernetes.io/name in (api,other)" }
    patch: |-
      $patch: delete
      apiVersion: v1
      kind: Removed
      metadata: { name: removed }
`,
    });
    expect(render('overlay').map((o) => o.kind)).toEqual(['ConfigMap']);
  });

  it('applies JSON 6902 patches to targets selected by kind and name regex', () => {
    write({
      'overlay/kustomization.yaml': `resources: [../base]
patches:
  - target: { kind: Deployment|Service, name: "a.i" }
    patch: |-
      - op: add
        path: /metadata/annotations
        value: { patched: "yes" }
`,
    });
    expect(
      render('overlay')
        .filter((o) => o.metadata.annotations?.patched === 'yes')
        .map((o) => o.kind),
    ).toEqual(['Deployment', 'Service']);
  });

  it('applies components to what the parent accumulated, and sets images', () => {
    write({
      'component/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target: { kind: Service }
    patch: |-
      - op: replace
        path: /spec/ports/0/port
        value: 8080
`,
      'overlay/kustomization.yaml':
        'resources: [../base]\ncomponents: [../component]\nimages:\n  - { name: strata/api, newName: registry.example.com/api, newTag: "1.0" }\n',
    });
    const objects = render('overlay');
    expect(get(objects, 'Service').spec.ports[0].port).toBe(8080);
    expect(get(objects, 'Deployment').spec.template.spec.containers[0].image).toBe('registry.example.com/api:1.0');
  });

  it.each([
    [
      'a field outside the subset',
      'resources: [../base]\ncommonLabels: { a: b }\n',
      /field "commonLabels" is outside the kustomize subset/,
    ],
    [
      'a patch that matches nothing',
      'resources: [../base]\npatches:\n  - patch: "{apiVersion: v1, kind: Service, metadata: {name: nope}}"\n',
      /no resource matches the patch/,
    ],
    [
      'a file outside the kustomization directory',
      'resources: [../base]\npatches:\n  - path: ../base/app.yaml\n',
      /outside the kustomization directory/,
    ],
    [
      'a JSON patch path that does not exist',
      'resources: [../base]\npatches:\n  - target: { kind: Service }\n    patch: "[{op: replace, path: /spec/nope/x, value: 1}]"\n',
      /"nope" does not exist/,
    ],
    [
      'a generator with hashed names',
      'resources: [../base]\nconfigMapGenerator:\n  - { name: x, literals: [A=1] }\n',
      /disableNameSuffixHash/,
    ],
  ])('refuses %s', (_case, kustomization, error) => {
    write({ 'overlay/kustomization.yaml': kustomization });
    expect(() => render('overlay')).toThrow(KustomizeError);
    expect(() => render('overlay')).toThrow(error);
  });

  it('refuses a resource defined twice', () => {
    write({
      'overlay/kustomization.yaml': 'resources: [one.yaml, two.yaml]\n',
      'overlay/one.yaml': DEPLOYMENT,
      'overlay/two.yaml': DEPLOYMENT,
    });
    expect(() => render('overlay')).toThrow(/Deployment\/api is already defined/);
  });

  it('refuses leading-zero numbers, which YAML 1.1 and 1.2 read differently', () => {
    write({ 'base/app.yaml': DEPLOYMENT.replace('name: api\n  labels', 'name: api\n  generation: 0555\n  labels') });
    expect(() => render('base')).toThrow(/0555 is octal in YAML 1.1 but decimal in YAML 1.2/);
  });
});
