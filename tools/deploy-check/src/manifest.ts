import { type IPodSpec } from 'kubernetes-models/v1/PodSpec';

/** One Kubernetes object as rendered: plain JSON. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isK8sObject(value: unknown): value is K8sObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    isRecord(value.metadata) &&
    typeof value.metadata.name === 'string'
  );
}

/** `Kind/name`, or `Kind/namespace/name` when namespaced: how findings and duplicates name an object. */
export function objectRef(object: K8sObject): string {
  const ns = object.metadata.namespace;
  return ns ? `${object.kind}/${ns}/${object.metadata.name}` : `${object.kind}/${object.metadata.name}`;
}

/** The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** A pod template inside a workload, with the JSON path it lives at (for messages). */
export interface PodTemplate {
  readonly workload: K8sObject;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: IPodSpec;
  readonly path: string;
}

function asPodTemplate(workload: K8sObject, template: unknown, path: string): PodTemplate | undefined {
  if (!isRecord(template) || !isRecord(template.spec)) return undefined;
  const metadata = isRecord(template.metadata) ? template.metadata : {};
  const labels = isRecord(metadata.labels) ? (metadata.labels as Record<string, string>) : {};
  return { workload, labels, spec: template.spec as unknown as IPodSpec, path };
}

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). */
export function podTemplateOf(object: K8sObject): PodTemplate | undefined {
  const spec = object.spec;
  if (!isRecord(spec)) return undefined;
  switch (object.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return asPodTemplate(object, spec.template, 'spec.template');
    case 'CronJob': {
      const jobSpec = isRecord(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
      return isRecord(jobSpec) ? asPodTemplate(object, jobSpec.template, 'spec.jobTemplate.spec.template') : undefined;
    }
    case 'Pod':
      return asPodTemplate(object, { metadata: object.metadata, spec }, '');
    default:
      return undefined;
  }
}

/** Long-running workloads: their containers must have probes. */
export function isLongRunning(object: K8sObject): boolean {
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(object.kind);
}

/** Kinds that are not namespaced (the subset a deployment like ours could contain). */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
]);
