import { isRecord } from '../manifest';

/**
 * The merge keys of the Kubernetes lists we patch (`patchMergeKey` in the API types): a patch item updates
 * the target item with the same key instead of replacing the whole list. Lists not named here are
 * replaced, as the API does for lists without a merge strategy (args, command, envFrom, egress…).
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
};

/** Container ports merge on containerPort, Service ports on port. */
function mergeKeyOf(field: string, items: readonly unknown[]): string | undefined {
  if (field === 'ports') return items.some((i) => isRecord(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

export const DELETE = Symbol('delete');

function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDirectives);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = withoutDirectives(v);
  return out;
}

/**
 * Like the API server and kustomize: the patch's items come first, in patch order (each merged into the
 * target item with the same key), then the target's other items in their order.
 */
function mergeList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const key = mergeKeyOf(field, patch);
  if (!key || !Array.isArray(target) || !patch.every(isRecord)) return withoutDirectives(patch) as unknown[];
  const rest: unknown[] = [...(target as unknown[])];
  const head: unknown[] = [];
  for (const item of patch) {
    const at = rest.findIndex((t) => isRecord(t) && t[key] === item[key]);
    const existing: unknown = at >= 0 ? rest.splice(at, 1)[0] : undefined;
    if (item.$patch === 'delete') continue;
    head.push(existing === undefined ? withoutDirectives(item) : strategicMerge(existing, item));
  }
  return [...head, ...rest];
}

/**
 * A strategic merge patch (the subset kustomize overlays use): maps merge recursively, `null` deletes a
 * field, lists with a merge key merge item by item, `$patch: delete` removes an item (or, at the top level,
 * the whole object: returns DELETE) and `$patch: replace` replaces a map.
 */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return withoutDirectives(patch);
  if (patch.$patch === 'delete') return DELETE;
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [field, value] of Object.entries(patch)) {
    if (field.startsWith('$')) continue;
    if (value === null) delete out[field];
    else if (Array.isArray(value)) out[field] = mergeList(field, out[field], value);
    else if (isRecord(value)) {
      const merged = strategicMerge(out[field], value);
      if (merged === DELETE) delete out[field];
      else out[field] = merged;
    } else out[field] = value;
  }
  return out;
}
