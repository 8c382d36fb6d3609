import { jsonValueSchema } from '@strata/contracts';
import Ajv, { type ValidateFunction } from 'ajv';
import { ZodFirstPartyTypeKind, ZodParsedType, type ZodTypeAny, getParsedType } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * Ajv as zod reads a value: string lengths in UTF-16 code units (`unicode: false`, as zod's `.min`/`.max` count them;
 * ajv honours the deprecated option, and would only log a notice for it), patterns compiled as zod's regex sources
 * are (`unicodeRegExp: false`, no `u` flag), and no NaN or Infinity as a number: zod refuses NaN, and a value with
 * Infinity takes zod's path (its `.int()` refuses it, a plain `z.number()` accepts it).
 */
const ajv = new Ajv({ unicode: false, unicodeRegExp: false, strictNumbers: true, allErrors: false, logger: false });
// Ajv's `object` is any non-array object; zod's `z.object` refuses a Date, Map, Set or promise (zod's own test), and
// gives back a plain object: anything else (a class instance, a null prototype) is left to zod.
ajv.addKeyword({
  keyword: 'zodObject',
  schemaType: 'boolean',
  errors: false,
  validate: (_on: boolean, data: unknown) =>
    getParsedType(data) === ZodParsedType.object && Object.getPrototypeOf(data) === Object.prototype,
});

/** A zod construct this translation does not take: the schema is parsed by zod alone. */
class NotCompiled extends Error {}

/** Where a schema sits: only an object's property may be optional or the contract's any-JSON-value. */
type Position = 'root' | 'property' | 'item';

/**
 * The JSON Schema that accepts exactly the values the zod schema accepts unchanged, or `NotCompiled`. Only what
 * reads a value the same way in both is translated; anything zod transforms (defaults, trims, coercion,
 * passthrough, unions, other refinements and effects) or checks otherwise is not.
 */
function translate(schema: ZodTypeAny, at: Position): JsonSchema {
  const def = schema._def as { typeName?: unknown; coerce?: unknown; checks?: readonly { kind: string }[] };
  if (def.coerce === true) throw new NotCompiled('coercion');
  switch (def.typeName) {
    case ZodFirstPartyTypeKind.ZodString:
      return stringSchema(def.checks ?? []);
    case ZodFirstPartyTypeKind.ZodNumber:
      return numberSchema(def.checks ?? []);
    case ZodFirstPartyTypeKind.ZodBoolean:
      return { type: 'boolean' };
    case ZodFirstPartyTypeKind.ZodEnum: {
      const values = (schema._def as { values: readonly string[] }).values;
      return { type: 'string', enum: [...values] };
    }
    case ZodFirstPartyTypeKind.ZodArray: {
      const array = schema._def as {
        type: ZodTypeAny;
        minLength: { value: number } | null;
        maxLength: { value: number } | null;
        exactLength: { value: number } | null;
      };
      const out: JsonSchema = { type: 'array', items: translate(array.type, 'item') };
      const min = Math.max(array.minLength?.value ?? 0, array.exactLength?.value ?? 0);
      const max = Math.min(array.maxLength?.value ?? Infinity, array.exactLength?.value ?? Infinity);
      if (min > 0) out['minItems'] = min;
      if (max !== Infinity) out['maxItems'] = max;
      return out;
    }
    case ZodFirstPartyTypeKind.ZodObject:
      return objectSchema(schema);
    case ZodFirstPartyTypeKind.ZodLiteral:
      return literalSchema((schema._def as { value: unknown }).value);
    case ZodFirstPartyTypeKind.ZodRecord:
      return recordSchema(schema);
    case ZodFirstPartyTypeKind.ZodDiscriminatedUnion:
      return discriminatedUnionSchema(schema);
    case ZodFirstPartyTypeKind.ZodReadonly:
      // Zod gives back its copy frozen; the value accepted here is used as it is, not frozen. Its type is readonly all
      // the same, so no caller writes to it either way.
      return translate((schema._def as { innerType: ZodTypeAny }).innerType, at);
    case ZodFirstPartyTypeKind.ZodOptional:
      // As a property only: there an undefined member is what ajv's `properties` skips and its `required` misses.
      if (at !== 'property') throw new NotCompiled('an optional value outside an object');
      return translate((schema._def as { innerType: ZodTypeAny }).innerType, 'item');
    case ZodFirstPartyTypeKind.ZodEffects:
      // The contracts' any JSON value refuses undefined only: as a property, what `required` refuses (or, optional,
      // accepts); anything else passes both, unchanged.
      if (schema === jsonValueSchema && at === 'property') return {};
      throw new NotCompiled('a refinement or transform');
    default:
      throw new NotCompiled(String(def.typeName));
  }
}

function stringSchema(checks: readonly { kind: string }[]): JsonSchema {
  const out: JsonSchema = { type: 'string' };
  for (const check of checks) {
    const { kind } = check;
    if (kind === 'min' || kind === 'max' || kind === 'length') {
      const { value } = check as unknown as { value: number };
      if (kind !== 'max') out['minLength'] = Math.max(Number(out['minLength'] ?? 0), value);
      if (kind !== 'min') out['maxLength'] = Math.min(Number(out['maxLength'] ?? Infinity), value);
    } else if (kind === 'regex' && out['pattern'] === undefined) {
      const { regex } = check as unknown as { regex: RegExp };
      // Flags change what a pattern matches (`i`, `m`, `s`) or where it starts (`g`, `y`): such a regex is zod's.
      if (regex.flags !== '') throw new NotCompiled(`a regex with flags /${regex.flags}`);
      out['pattern'] = regex.source;
    } else {
      throw new NotCompiled(`a string check "${kind}"`);
    }
  }
  return out;
}

function numberSchema(checks: readonly { kind: string }[]): JsonSchema {
  const out: JsonSchema = { type: 'number' };
  for (const check of checks) {
    const { kind } = check;
    if (kind === 'int') out['type'] = 'integer';
    // Ajv's numbers are finite already (`strictNumbers`).
    else if (kind === 'finite') continue;
    else if (kind === 'min' || kind === 'max') {
      if (out[kind === 'min' ? 'minimum' : 'maximum'] !== undefined) throw new NotCompiled('two bounds on a side');
      const { value, inclusive } = check as unknown as { value: number; inclusive: boolean };
      const name =
        kind === 'min' ? (inclusive ? 'minimum' : 'exclusiveMinimum') : inclusive ? 'maximum' : 'exclusiveMaximum';
      out[name] = value;
    } else {
      throw new NotCompiled(`a number check "${kind}"`);
    }
  }
  return out;
}

/** Zod compares a literal with `===`: the same as ajv's `const` for a string, a boolean, null or a number (not NaN). */
function literalSchema(value: unknown): JsonSchema {
  if (
    typeof value === 'number'
      ? Number.isNaN(value)
      : typeof value !== 'string' && typeof value !== 'boolean' && value !== null
  )
    throw new NotCompiled(`a literal ${String(value)}`);
  return { const: value };
}

/**
 * Zod's record (string keys) reads the members an object has, each by the value schema, into a new object without a
 * `__proto__` member: one with such a member is left to zod.
 */
function recordSchema(schema: ZodTypeAny): JsonSchema {
  const def = schema._def as { keyType: ZodTypeAny; valueType: ZodTypeAny };
  const keys = def.keyType._def as { typeName?: unknown; checks?: readonly unknown[]; coerce?: unknown };
  if (keys.typeName !== ZodFirstPartyTypeKind.ZodString || (keys.checks ?? []).length > 0 || keys.coerce === true)
    throw new NotCompiled('a record whose keys are not plain strings');
  return {
    type: 'object',
    zodObject: true,
    propertyNames: { not: { const: '__proto__' } },
    additionalProperties: translate(def.valueType, 'item'),
  };
}

/**
 * Zod's discriminated union parses a value by the one option its discriminator names. Ajv's `anyOf` of the options
 * matches the same one: each requires its own constant discriminator, so no other option can match.
 */
function discriminatedUnionSchema(schema: ZodTypeAny): JsonSchema {
  const def = schema._def as { discriminator: string; options: readonly ZodTypeAny[] };
  const options = def.options.map((option) => {
    const translated = translate(option, 'item');
    const required = translated['required'] as readonly string[] | undefined;
    const properties = translated['properties'] as Record<string, JsonSchema> | undefined;
    if (!required?.includes(def.discriminator) || properties?.[def.discriminator]?.['const'] === undefined)
      throw new NotCompiled('an option whose discriminator is not a required literal');
    return translated;
  });
  return { anyOf: options };
}

function typeName(schema: ZodTypeAny): unknown {
  return (schema._def as { typeName?: unknown }).typeName;
}

function objectSchema(schema: ZodTypeAny): JsonSchema {
  const def = schema._def as { shape: () => Record<string, ZodTypeAny>; unknownKeys: string; catchall: ZodTypeAny };
  // Zod strips unknown members (a copy without them): refusing them here leaves such a value to zod.
  if (def.unknownKeys !== 'strip' || typeName(def.catchall) !== ZodFirstPartyTypeKind.ZodNever)
    throw new NotCompiled('passthrough, strict or catchall');
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, member] of Object.entries(def.shape())) {
    properties[key] = translate(member, 'property');
    if (typeName(member) !== ZodFirstPartyTypeKind.ZodOptional) required.push(key);
  }
  return { type: 'object', zodObject: true, properties, required, additionalProperties: false };
}

const compiled = new WeakMap<ZodTypeAny, ValidateFunction | null>();

/**
 * A validator compiled once (ajv) from a contract's zod schema, for the messages a service consumes: true only for a
 * value zod accepts and would give back as it is (the same members, nothing transformed), so such a value can be used
 * without zod's parse and copy; false says nothing (let zod parse it, for its result or its issues). Null when the
 * schema holds anything the translation does not take as zod does (then zod parses every value).
 *
 * `compiled-contract.spec.ts` holds the two to that on valid and invalid messages of the hot contracts.
 */
export function compiledContract(schema: ZodTypeAny): ((value: unknown) => boolean) | null {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    try {
      validate = ajv.compile(translate(schema, 'root'));
    } catch (error) {
      if (!(error instanceof NotCompiled)) throw error;
      validate = null;
    }
    compiled.set(schema, validate);
  }
  return validate;
}
