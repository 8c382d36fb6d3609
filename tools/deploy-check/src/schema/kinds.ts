import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

/** A kubernetes-models class: validate() checks the object against the API's JSON schema. */
type ModelClass = new (data: never) => { validate(): void };

/** A kind deploy-check can validate: its runtime model (JSON schema) and its TypeScript interface. */
interface KnownKind {
  readonly model: ModelClass;
  /** Module and interface name of the generated type, for the unknown-field check. */
  readonly module: string;
  readonly typeName: string;
}

const core = (path: string) => `kubernetes-models/${path}`;
const prometheus = (kind: string) => `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`;

function kind(model: ModelClass, module: string, name: string): KnownKind {
  return { model, module, typeName: `I${name}` };
}

/** `apiVersion kind` → model. Kubernetes 1.30+ API (kubernetes-models 4.5) and Prometheus Operator v1. */
export const KNOWN_KINDS: ReadonlyMap<string, KnownKind> = new Map([
  ['v1 ConfigMap', kind(ConfigMap, core('v1/ConfigMap'), 'ConfigMap')],
  ['v1 Secret', kind(Secret, core('v1/Secret'), 'Secret')],
  ['v1 Service', kind(Service, core('v1/Service'), 'Service')],
  ['v1 ServiceAccount', kind(ServiceAccount, core('v1/ServiceAccount'), 'ServiceAccount')],
  ['v1 Namespace', kind(Namespace, core('v1/Namespace'), 'Namespace')],
  ['v1 PersistentVolumeClaim', kind(PersistentVolumeClaim, core('v1/PersistentVolumeClaim'), 'PersistentVolumeClaim')],
  ['v1 Pod', kind(Pod, core('v1/Pod'), 'Pod')],
  ['apps/v1 Deployment', kind(Deployment, core('apps/v1/Deployment'), 'Deployment')],
  ['apps/v1 StatefulSet', kind(StatefulSet, core('apps/v1/StatefulSet'), 'StatefulSet')],
  ['apps/v1 DaemonSet', kind(DaemonSet, core('apps/v1/DaemonSet'), 'DaemonSet')],
  ['batch/v1 Job', kind(Job, core('batch/v1/Job'), 'Job')],
  ['batch/v1 CronJob', kind(CronJob, core('batch/v1/CronJob'), 'CronJob')],
  [
    'autoscaling/v2 HorizontalPodAutoscaler',
    kind(HorizontalPodAutoscaler, core('autoscaling/v2/HorizontalPodAutoscaler'), 'HorizontalPodAutoscaler'),
  ],
  [
    'policy/v1 PodDisruptionBudget',
    kind(PodDisruptionBudget, core('policy/v1/PodDisruptionBudget'), 'PodDisruptionBudget'),
  ],
  [
    'networking.k8s.io/v1 NetworkPolicy',
    kind(NetworkPolicy, core('networking.k8s.io/v1/NetworkPolicy'), 'NetworkPolicy'),
  ],
  ['networking.k8s.io/v1 Ingress', kind(Ingress, core('networking.k8s.io/v1/Ingress'), 'Ingress')],
  ['rbac.authorization.k8s.io/v1 Role', kind(Role, core('rbac.authorization.k8s.io/v1/Role'), 'Role')],
  [
    'rbac.authorization.k8s.io/v1 RoleBinding',
    kind(RoleBinding, core('rbac.authorization.k8s.io/v1/RoleBinding'), 'RoleBinding'),
  ],
  [
    'rbac.authorization.k8s.io/v1 ClusterRole',
    kind(ClusterRole, core('rbac.authorization.k8s.io/v1/ClusterRole'), 'ClusterRole'),
  ],
  [
    'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
    kind(ClusterRoleBinding, core('rbac.authorization.k8s.io/v1/ClusterRoleBinding'), 'ClusterRoleBinding'),
  ],
  ['monitoring.coreos.com/v1 ServiceMonitor', kind(ServiceMonitor, prometheus('ServiceMonitor'), 'ServiceMonitor')],
  ['monitoring.coreos.com/v1 PodMonitor', kind(PodMonitor, prometheus('PodMonitor'), 'PodMonitor')],
  ['monitoring.coreos.com/v1 PrometheusRule', kind(PrometheusRule, prometheus('PrometheusRule'), 'PrometheusRule')],
]);
