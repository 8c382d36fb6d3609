/**
 * Deterministic JSON: object keys sorted, `undefined` members dropped (as JSON.stringify does), no
 * whitespace. Two requests that mean the same thing serialise to the same string.
 *
 * Hot path (every lookup): a single pass that appends to one string, no intermediate arrays per value
 * except the sorted key list of each object.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined || typeof item === 'function' ? 'null' : canonicalJson(item);
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
        out += JSON.stringify(key) + ':' + canonicalJson(member);
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
