import { isRecord } from '../manifest';

/** One RFC 6902 operation (the subset kustomize overlays use: add, remove, replace, test). */
interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

export function isJsonPatch(value: unknown): value is JsonPatchOperation[] {
  return (
    Array.isArray(value) &&
    value.every((op) => isRecord(op) && typeof op.op === 'string' && typeof op.path === 'string')
  );
}

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must start with "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function index(container: unknown[], token: string, forAdd: boolean): number {
  if (token === '-' && forAdd) return container.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new Error(`bad array index "${token}"`);
  const i = Number(token);
  if (i > container.length || (!forAdd && i === container.length)) throw new Error(`array index ${i} out of range`);
  return i;
}

/** Applies the operations to `document` in place and returns it. Throws on a path that does not exist. */
export function applyJsonPatch(document: unknown, operations: readonly JsonPatchOperation[]): unknown {
  for (const { op, path, value } of operations) {
    const parts = tokens(path);
    const last = parts.pop();
    if (last === undefined) throw new Error(`cannot ${op} the document root`);
    let parent: unknown = document;
    for (const token of parts) {
      if (Array.isArray(parent)) parent = parent[index(parent, token, false)];
      else if (isRecord(parent) && token in parent) parent = parent[token];
      else throw new Error(`${op} ${path}: "${token}" does not exist`);
    }
    if (Array.isArray(parent)) {
      const i = index(parent, last, op === 'add');
      if (op === 'add') parent.splice(i, 0, structuredClone(value));
      else if (op === 'remove') parent.splice(i, 1);
      else if (op === 'replace') parent[i] = structuredClone(value);
      else if (JSON.stringify(parent[i]) !== JSON.stringify(value)) throw new Error(`test ${path} failed`);
    } else if (isRecord(parent)) {
      if (op !== 'add' && !(last in parent)) throw new Error(`${op} ${path}: "${last}" does not exist`);
      if (op === 'remove') delete parent[last];
      else if (op === 'test') {
        if (JSON.stringify(parent[last]) !== JSON.stringify(value)) throw new Error(`test ${path} failed`);
      } else parent[last] = structuredClone(value);
    } else {
      throw new Error(`${op} ${path}: parent is not an object or array`);
    }
  }
  return document;
}
