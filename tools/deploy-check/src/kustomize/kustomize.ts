import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { type Scalar, parseAllDocuments, visit } from 'yaml';
import { parseSelectorString } from '../label-selector';
import {
  CLUSTER_SCOPED_KINDS,
  type K8sObject,
  apiGroup,
  isK8sObject,
  isRecord,
  objectRef,
  podTemplateOf,
} from '../manifest';
import { applyJsonPatch, isJsonPatch } from './json-patch';
import { DELETE, strategicMerge } from './strategic-merge';

/**
 * The subset of kustomize (v5 semantics) that deploy/ uses, so CI can render the overlays with nothing but
 * Node: resources (files and directories), components, namespace, configMapGenerator (files and literals,
 * without name hashes), patches (strategic merge, `$patch: delete` and JSON 6902, with targets by kind,
 * name regex and label selector) and images. A field outside that subset is an error, never ignored.
 * Where a real kustomize is installed, the deploy-check spec compares its output with ours.
 */
export class KustomizeError extends Error {
  override readonly name = 'KustomizeError';
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'namespace',
  'patches',
  'images',
  'configMapGenerator',
  'generatorOptions',
]);

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
}

interface PatchEntry {
  path?: string;
  patch?: string;
  target?: PatchTarget;
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface ConfigMapGeneratorEntry {
  name: string;
  files?: string[];
  literals?: string[];
  behavior?: string;
  options?: { labels?: Record<string, string>; annotations?: Record<string, string>; disableNameSuffixHash?: boolean };
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  components?: string[];
  namespace?: string;
  patches?: PatchEntry[];
  images?: ImageEntry[];
  configMapGenerator?: ConfigMapGeneratorEntry[];
  generatorOptions?: {
    disableNameSuffixHash?: boolean;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/**
 * Parses every YAML document of a text into plain JSON; empty documents are dropped. A plain scalar with a
 * leading zero (`0555`) is refused: YAML 1.1 (kubectl) reads it as octal, YAML 1.2 as decimal.
 */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text, { keepSourceTokens: true })) {
    if (doc.errors.length > 0) throw new KustomizeError(`${source}: ${doc.errors[0].message}`);
    visit(doc, {
      Scalar(_key, node: Scalar) {
        const raw = node.srcToken && 'source' in node.srcToken ? node.srcToken.source : undefined;
        if (node.type === 'PLAIN' && typeof raw === 'string' && /^0\d+$/.test(raw)) {
          throw new KustomizeError(
            `${source}: ${raw} is octal in YAML 1.1 but decimal in YAML 1.2: write it in decimal or quote it`,
          );
        }
      },
    });
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function readKustomization(dir: string): Kustomization {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) throw new KustomizeError(`${dir}: no kustomization.yaml`);
  const [doc] = parseYamlDocuments(readFileSync(file, 'utf8'), file);
  if (!isRecord(doc)) throw new KustomizeError(`${file}: not a mapping`);
  for (const field of Object.keys(doc)) {
    if (!SUPPORTED_FIELDS.has(field)) {
      throw new KustomizeError(`${file}: field "${field}" is outside the kustomize subset deploy-check renders`);
    }
  }
  return doc;
}

/** A file a kustomization reads must live inside its directory (kustomize's default load restrictor). */
function fileInside(dir: string, path: string): string {
  const full = resolve(dir, path);
  const rel = relative(dir, full);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new KustomizeError(`${dir}: ${path} is outside the kustomization directory (kustomize refuses to load it)`);
  }
  return full;
}

function readObjects(file: string): K8sObject[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file).map((doc, i) => {
    if (!isK8sObject(doc)) throw new KustomizeError(`${file}: document ${i + 1} is not a Kubernetes object`);
    return doc;
  });
}

function sameId(a: K8sObject, b: K8sObject): boolean {
  return (
    a.kind === b.kind &&
    apiGroup(a.apiVersion) === apiGroup(b.apiVersion) &&
    a.metadata.name === b.metadata.name &&
    (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '')
  );
}

function add(accumulated: K8sObject[], objects: readonly K8sObject[], source: string): void {
  for (const object of objects) {
    if (accumulated.some((o) => sameId(o, object))) {
      throw new KustomizeError(`${source}: ${objectRef(object)} is already defined (kustomize refuses duplicate ids)`);
    }
    accumulated.push(object);
  }
}

function generateConfigMaps(dir: string, k: Kustomization): K8sObject[] {
  const generators = k.configMapGenerator ?? [];
  const options = k.generatorOptions ?? {};
  return generators.map((g) => {
    if (g.behavior !== undefined && g.behavior !== 'create') {
      throw new KustomizeError(
        `${dir}: configMapGenerator behavior "${g.behavior}" is outside the subset (use a patch)`,
      );
    }
    if (!(g.options?.disableNameSuffixHash ?? options.disableNameSuffixHash)) {
      throw new KustomizeError(
        `${dir}: configMapGenerator "${g.name}" needs disableNameSuffixHash: true (hash suffixes are outside the subset)`,
      );
    }
    const data: Record<string, string> = {};
    for (const spec of g.files ?? []) {
      const eq = spec.indexOf('=');
      const key = eq < 0 ? basename(spec) : spec.slice(0, eq);
      data[key] = readFileSync(fileInside(dir, eq < 0 ? spec : spec.slice(eq + 1)), 'utf8');
    }
    for (const literal of g.literals ?? []) {
      const eq = literal.indexOf('=');
      if (eq <= 0) throw new KustomizeError(`${dir}: literal "${literal}" must look like key=value`);
      data[literal.slice(0, eq)] = literal.slice(eq + 1);
    }
    const labels = { ...options.labels, ...g.options?.labels };
    const annotations = { ...options.annotations, ...g.options?.annotations };
    const metadata: K8sObject['metadata'] = { name: g.name };
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    if (Object.keys(labels).length > 0) metadata.labels = labels;
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
  });
}

function matchesTarget(object: K8sObject, target: PatchTarget): boolean {
  const anchored = (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(value);
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  if (target.group !== undefined && !anchored(target.group, group)) return false;
  if (target.version !== undefined && !anchored(target.version, version)) return false;
  if (target.kind !== undefined && !anchored(target.kind, object.kind)) return false;
  if (target.name !== undefined && !anchored(target.name, object.metadata.name)) return false;
  if (target.namespace !== undefined && !anchored(target.namespace, object.metadata.namespace ?? '')) return false;
  if (target.labelSelector !== undefined && !parseSelectorString(target.labelSelector)(object.metadata.labels ?? {}))
    return false;
  return true;
}

function applyPatches(dir: string, k: Kustomization, objects: K8sObject[]): K8sObject[] {
  let out = objects;
  for (const entry of k.patches ?? []) {
    const source = entry.path ? fileInside(dir, entry.path) : `${dir} (inline patch)`;
    const text = entry.path ? readFileSync(source, 'utf8') : entry.patch;
    if (text === undefined) throw new KustomizeError(`${dir}: a patch needs path or patch`);
    const docs = parseYamlDocuments(text, source);
    if (docs.length === 1 && isJsonPatch(docs[0])) {
      if (!entry.target) throw new KustomizeError(`${source}: a JSON 6902 patch needs a target`);
      const targets = out.filter((o) => matchesTarget(o, entry.target!));
      if (targets.length === 0) throw new KustomizeError(`${source}: no resource matches the patch target`);
      for (const object of targets) {
        try {
          applyJsonPatch(object, docs[0]);
        } catch (err) {
          throw new KustomizeError(`${source} on ${objectRef(object)}: ${(err as Error).message}`);
        }
      }
      continue;
    }
    for (const patch of docs) {
      if (!isRecord(patch)) throw new KustomizeError(`${source}: a strategic merge patch must be a mapping`);
      let matches: (o: K8sObject) => boolean;
      if (entry.target) {
        const target = entry.target;
        matches = (o) => matchesTarget(o, target);
      } else {
        if (!isK8sObject(patch))
          throw new KustomizeError(`${source}: a patch without target needs apiVersion, kind and metadata.name`);
        matches = (o) =>
          o.kind === patch.kind &&
          apiGroup(o.apiVersion) === apiGroup(patch.apiVersion) &&
          o.metadata.name === patch.metadata.name &&
          (patch.metadata.namespace === undefined || o.metadata.namespace === patch.metadata.namespace);
      }
      if (!out.some(matches)) throw new KustomizeError(`${source}: no resource matches the patch`);
      const next: K8sObject[] = [];
      for (const object of out) {
        if (!matches(object)) {
          next.push(object);
          continue;
        }
        const body = entry.target ? { ...patch, apiVersion: undefined, kind: undefined, metadata: undefined } : patch;
        if (entry.target && isRecord(patch.metadata)) {
          const { name: _name, ...otherMetadata } = patch.metadata;
          if (Object.keys(otherMetadata).length > 0) body.metadata = otherMetadata;
        }
        const merged = strategicMerge(object, stripUndefined(body));
        if (merged !== DELETE) next.push(merged as K8sObject);
      }
      out = next;
    }
  }
  return out;
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function setNamespace(objects: K8sObject[], namespace: string | undefined): void {
  if (!namespace) return;
  for (const object of objects) {
    if (!CLUSTER_SCOPED_KINDS.has(object.kind)) object.metadata.namespace = namespace;
  }
}

/** `registry:5000/a/b:tag@sha256:…` → name `registry:5000/a/b`, tag, digest. */
function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

function setImages(objects: K8sObject[], images: readonly ImageEntry[]): void {
  if (images.length === 0) return;
  for (const object of objects) {
    const pod = podTemplateOf(object);
    if (!pod) continue;
    for (const container of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
      if (!container.image) continue;
      const current = splitImage(container.image);
      const rule = images.find((i) => i.name === current.name);
      if (!rule) continue;
      const name = rule.newName ?? current.name;
      if (rule.digest) container.image = `${name}@${rule.digest}`;
      else if (rule.newTag) container.image = `${name}:${rule.newTag}`;
      else
        container.image = `${name}${current.tag ? `:${current.tag}` : ''}${current.digest ? `@${current.digest}` : ''}`;
    }
  }
}

function build(dir: string, input: K8sObject[], expectComponent: boolean): K8sObject[] {
  const k = readKustomization(dir);
  const kind = k.kind ?? 'Kustomization';
  if (expectComponent !== (kind === 'Component')) {
    throw new KustomizeError(`${dir}: expected a ${expectComponent ? 'Component' : 'Kustomization'}, found ${kind}`);
  }
  let objects = input;
  for (const resource of k.resources ?? []) {
    const path = resolve(dir, resource);
    if (!existsSync(path)) throw new KustomizeError(`${dir}: resource ${resource} does not exist`);
    const loaded = statSync(path).isDirectory() ? build(path, [], false) : readObjects(fileInside(dir, resource));
    add(objects, loaded, `${dir}: ${resource}`);
  }
  for (const component of k.components ?? []) {
    objects = build(resolve(dir, component), objects, true);
  }
  add(objects, generateConfigMaps(dir, k), dir);
  objects = applyPatches(dir, k, objects);
  setNamespace(objects, k.namespace);
  setImages(objects, k.images ?? []);
  return objects;
}

/** Renders a kustomization directory like `kustomize build <dir>` (for the supported subset). */
export function renderKustomization(dir: string): K8sObject[] {
  return build(resolve(dir), [], false).map((o) => structuredClone(o));
}
