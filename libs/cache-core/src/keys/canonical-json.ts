import { ErrorCode, MAX_JSON_DEPTH, StrataError } from '@strata/contracts';

/**
 * Deterministic JSON: object keys sorted, `undefined` members dropped (as JSON.stringify does), no
 * whitespace. Two requests that mean the same thing serialise to the same string.
 *
 * Hot path (every lookup): a single pass that appends to one string, no intermediate arrays per value
 * except the sorted key list of each object. Values nested deeper than `MAX_JSON_DEPTH` are refused with
 * an `invalid_request` error (a client error, never a stack overflow): the HTTP layer refuses them
 * earlier, this keeps every other caller safe too.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_JSON_DEPTH)
        throw new StrataError(ErrorCode.InvalidRequest, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined || typeof item === 'function' ? 'null' : write(item, depth + 1);
        }
        return out + ']';
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined || typeof member === 'function') continue;
        if (!first) out += ',';
        first = false;
        out += JSON.stringify(key) + ':' + write(member, depth + 1);
      }
      return out + '}';
    }
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      // Not JSON: written as null, as JSON.stringify does inside arrays.
      return 'null';
  }
}
