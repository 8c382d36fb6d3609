import { type PointId, parsePointId } from './point-id';
import { QdrantHttpError } from './qdrant-http-error';

export type Payload = Record<string, unknown>;

export interface FilterablePoint {
  readonly id: PointId;
  readonly payload: Payload;
}

type PointPredicate = (point: FilterablePoint) => boolean;

const MATCH_ALL: PointPredicate = () => true;

/**
 * Compiles a Qdrant `Filter` into a predicate, validating it up front (a malformed filter is a 400 even on an
 * empty collection). Semantics as documented by Qdrant:
 * - `must`: every condition holds; `should`: at least one holds (when present and non-empty); `must_not`: none
 *   holds; `min_should`: at least `min_count` of its conditions hold. Each clause takes one condition or a list.
 * - A condition is a nested filter, a field condition (`key` with `match: {value}` | `match: {any}` | `range`),
 *   `has_id`, `is_empty` or `is_null`.
 * - Keys are dotted paths (`a.b`, `a[].b`); array values match when ANY element matches.
 * - `match.value` is an exact match on a keyword, integer or bool; `match.any` matches any of the listed values.
 * - `range` (`gt`, `gte`, `lt`, `lte`) compares numbers, or RFC 3339 datetimes when the bounds are strings.
 * Anything else is answered with a 400 rather than approximated.
 */
export function compileFilter(raw: unknown): PointPredicate {
  if (raw === undefined || raw === null) {
    return MATCH_ALL;
  }
  return compileNestedFilter(raw, 'filter');
}

function compileNestedFilter(raw: unknown, path: string): PointPredicate {
  const filter = asObject(raw, path);
  for (const key of Object.keys(filter)) {
    if (key !== 'must' && key !== 'should' && key !== 'must_not' && key !== 'min_should') {
      throw QdrantHttpError.format(`unknown field \`${key}\` in ${path}`);
    }
  }
  const must = clauseConditions(filter['must'], `${path}.must`);
  const should = clauseConditions(filter['should'], `${path}.should`);
  const mustNot = clauseConditions(filter['must_not'], `${path}.must_not`);
  const minShould = compileMinShould(filter['min_should'], `${path}.min_should`);
  return (point) =>
    must.every((condition) => condition(point)) &&
    (should.length === 0 || should.some((condition) => condition(point))) &&
    !mustNot.some((condition) => condition(point)) &&
    minShould(point);
}

function clauseConditions(raw: unknown, path: string): PointPredicate[] {
  if (raw === undefined || raw === null) {
    return [];
  }
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  return list.map((condition, i) => compileCondition(condition, `${path}[${i}]`));
}

function compileMinShould(raw: unknown, path: string): PointPredicate {
  if (raw === undefined || raw === null) {
    return MATCH_ALL;
  }
  const minShould = asObject(raw, path);
  const minCount = minShould['min_count'];
  if (typeof minCount !== 'number' || !Number.isInteger(minCount) || minCount < 0) {
    throw QdrantHttpError.format(`${path}.min_count must be an unsigned integer`);
  }
  if (!Array.isArray(minShould['conditions'])) {
    throw QdrantHttpError.format(`${path}.conditions must be a list`);
  }
  const conditions = clauseConditions(minShould['conditions'], `${path}.conditions`);
  return (point) => {
    let matched = 0;
    for (const condition of conditions) {
      if (condition(point) && ++matched >= minCount) {
        return true;
      }
    }
    return matched >= minCount;
  };
}

function compileCondition(raw: unknown, path: string): PointPredicate {
  const condition = asObject(raw, path);
  if ('must' in condition || 'should' in condition || 'must_not' in condition || 'min_should' in condition) {
    return compileNestedFilter(condition, path);
  }
  if ('has_id' in condition) {
    const ids = condition['has_id'];
    if (!Array.isArray(ids)) {
      throw QdrantHttpError.format(`${path}.has_id must be a list of point ids`);
    }
    const wanted = new Set((ids as unknown[]).map((id) => parsePointId(id)));
    return (point) => wanted.has(point.id);
  }
  if ('is_empty' in condition) {
    const key = payloadFieldKey(condition['is_empty'], `${path}.is_empty`);
    return (point) => isEmptyValue(lookup(point.payload, key));
  }
  if ('is_null' in condition) {
    const key = payloadFieldKey(condition['is_null'], `${path}.is_null`);
    return (point) => lookup(point.payload, key).some((value) => value === null);
  }
  if ('key' in condition) {
    return compileFieldCondition(condition, path);
  }
  throw QdrantHttpError.format(`${path} is not a valid condition`);
}

function compileFieldCondition(condition: Record<string, unknown>, path: string): PointPredicate {
  const key = condition['key'];
  if (typeof key !== 'string' || key.length === 0) {
    throw QdrantHttpError.format(`${path}.key must be a non-empty string`);
  }
  const checks: ((values: unknown[]) => boolean)[] = [];
  for (const [name, value] of Object.entries(condition)) {
    if (name === 'key' || value === null || value === undefined) {
      continue;
    }
    switch (name) {
      case 'match':
        checks.push(compileMatch(value, `${path}.match`));
        break;
      case 'range':
        checks.push(compileRange(value, `${path}.range`));
        break;
      case 'is_empty':
        checks.push((values) => isEmptyValue(values) === value);
        break;
      case 'is_null':
        checks.push((values) => values.some((v) => v === null) === value);
        break;
      default:
        throw QdrantHttpError.unsupported(`field condition \`${name}\` (${path})`);
    }
  }
  if (checks.length === 0) {
    throw QdrantHttpError.format(`${path} must have at least one condition besides \`key\``);
  }
  return (point) => {
    const values = lookup(point.payload, key);
    return checks.every((check) => check(values));
  };
}

function compileMatch(raw: unknown, path: string): (values: unknown[]) => boolean {
  const match = asObject(raw, path);
  if ('value' in match) {
    const expected = match['value'];
    if (typeof expected !== 'string' && typeof expected !== 'number' && typeof expected !== 'boolean') {
      throw QdrantHttpError.format(`${path}.value must be a string, integer or bool`);
    }
    return (values) => values.some((value) => value === expected);
  }
  if ('any' in match) {
    const any = match['any'];
    if (!Array.isArray(any) || !(any as unknown[]).every((v) => typeof v === 'string' || typeof v === 'number')) {
      throw QdrantHttpError.format(`${path}.any must be a list of strings or a list of integers`);
    }
    const wanted = new Set<unknown>(any as unknown[]);
    return (values) => values.some((value) => wanted.has(value));
  }
  throw QdrantHttpError.unsupported(`match variant ${JSON.stringify(Object.keys(match))} (${path})`);
}

const RANGE_BOUNDS = ['gt', 'gte', 'lt', 'lte'] as const;

function compileRange(raw: unknown, path: string): (values: unknown[]) => boolean {
  const range = asObject(raw, path);
  for (const key of Object.keys(range)) {
    if (!(RANGE_BOUNDS as readonly string[]).includes(key)) {
      throw QdrantHttpError.format(`unknown field \`${key}\` in ${path}`);
    }
  }
  const present = RANGE_BOUNDS.filter((bound) => range[bound] !== undefined && range[bound] !== null);
  const isDatetime = present.some((bound) => typeof range[bound] === 'string');
  const bounds: Partial<Record<(typeof RANGE_BOUNDS)[number], number>> = {};
  for (const bound of present) {
    const value = range[bound];
    const numeric = isDatetime ? parseDatetime(value) : value;
    if (typeof numeric !== 'number' || Number.isNaN(numeric)) {
      throw QdrantHttpError.format(`${path}.${bound} must be ${isDatetime ? 'an RFC 3339 datetime' : 'a number'}`);
    }
    bounds[bound] = numeric;
  }
  const { gt, gte, lt, lte } = bounds;
  const inRange = (x: number): boolean =>
    (gt === undefined || x > gt) &&
    (gte === undefined || x >= gte) &&
    (lt === undefined || x < lt) &&
    (lte === undefined || x <= lte);
  return (values) =>
    values.some((value) => {
      const x = isDatetime ? parseDatetime(value) : value;
      return typeof x === 'number' && !Number.isNaN(x) && inRange(x);
    });
}

function parseDatetime(value: unknown): number | undefined {
  return typeof value === 'string' ? Date.parse(value) : undefined;
}

function payloadFieldKey(raw: unknown, path: string): string {
  const field = asObject(raw, path);
  const key = field['key'];
  if (typeof key !== 'string' || key.length === 0) {
    throw QdrantHttpError.format(`${path}.key must be a non-empty string`);
  }
  return key;
}

function isEmptyValue(values: unknown[]): boolean {
  return values.length === 0 || values.every((value) => value === null);
}

/**
 * The values at a dotted payload path, flattened: a missing field gives `[]`, an array gives its elements, and
 * `a[].b` (or `a.b` over an array of objects) collects `b` from every element of `a`.
 */
export function lookup(payload: Payload, key: string): unknown[] {
  let current: unknown[] = [payload];
  for (const rawSegment of key.split('.')) {
    const segment = rawSegment.endsWith('[]') ? rawSegment.slice(0, -2) : rawSegment;
    const next: unknown[] = [];
    for (const node of current) {
      const objects = Array.isArray(node) ? (node as unknown[]) : [node];
      for (const object of objects) {
        if (object !== null && typeof object === 'object' && !Array.isArray(object) && segment in object) {
          next.push((object as Record<string, unknown>)[segment]);
        }
      }
    }
    current = next;
  }
  return current.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
}

function asObject(raw: unknown, path: string): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw QdrantHttpError.format(`${path} must be an object`);
  }
  return raw as Record<string, unknown>;
}
