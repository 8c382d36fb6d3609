import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import Ajv2020 from 'ajv/dist/2020';
import { type SafeParseReturnType, z, type ZodType, type ZodTypeDef } from 'zod';
import { parseBody } from './parse-body';

// Registering a schema for JSON Schema output needs zod's `.openapi()`; adding it changes nothing else about schemas.
extendZodWithOpenApi(z);

/** A JSON Schema object as zod-to-openapi writes it (OpenAPI 3.1: JSON Schema 2020-12). */
export type JsonSchema = Record<string, unknown>;

/**
 * `unicode: false`: string lengths in UTF-16 code units, as zod's `.min`/`.max` count them (ajv 8 still honours the
 * option and logs a deprecation notice for it; with `strict: false` that notice is all ajv would log, hence no logger).
 */
const ajv = new Ajv2020({ unicode: false, strict: false, allErrors: false, logger: false });

/** The JSON Schema zod-to-openapi derives from a zod schema (the one `/openapi.json` documents). */
export function jsonSchemaOf(schema: ZodType): JsonSchema {
  const registry = new OpenAPIRegistry();
  registry.register('Body', schema);
  const { components } = new OpenApiGeneratorV31(registry.definitions).generateComponents();
  const schemas = (components?.schemas ?? {}) as Record<string, JsonSchema>;
  const body = schemas['Body'];
  if (body === undefined) throw new Error('zod-to-openapi produced no schema for the body');
  return { ...body, $defs: schemas };
}

/** `format` is not checked by the compiled validator (no format vocabulary is loaded): refuse it rather than accept more than zod. */
function assertNoFormats(schema: unknown, path: string): void {
  if (schema === null || typeof schema !== 'object') return;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'format') throw new Error(`${path}: "format" cannot be compiled here; validate this body with zod`);
    assertNoFormats(value, `${path}/${key}`);
  }
}

/** Rewrites `#/components/schemas/X` references to the `$defs` the compiled document carries. */
function localRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(localRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', '#/$defs/')
        : localRefs(value);
  }
  return out;
}

/**
 * A zod schema's validation for the hot routes: a validator compiled once (ajv) from the JSON Schema of the zod
 * contract accepts a value as it is; only a value it rejects is parsed by zod, so every 400 carries zod's messages and
 * details.
 *
 * The compiled schema must accept nothing zod rejects, and zod must give back what was sent for anything it accepts:
 * `tighten` closes what JSON Schema cannot say (a `.trim()`, a refinement) by rejecting such values, which then take
 * zod's path. `compiled-schema.spec.ts` holds both validators to that on corpora of valid and invalid bodies.
 */
export class CompiledSchema<T> {
  private readonly accepts: (value: unknown) => boolean;

  constructor(
    private readonly schema: ZodType<T, ZodTypeDef, unknown>,
    tighten: (schema: JsonSchema) => JsonSchema = (s) => s,
  ) {
    const json = localRefs(tighten(jsonSchemaOf(schema)));
    assertNoFormats(json, '#');
    this.accepts = ajv.compile(json as JsonSchema);
  }

  /** A request body as `T`, or the 400 zod's `parseBody` throws. */
  parse(body: unknown): T {
    if (body !== null && typeof body === 'object' && !Array.isArray(body) && this.accepts(body)) return body as T;
    return parseBody(this.schema, body);
  }

  /** As zod's `safeParse`, for a value that is not a whole body. */
  safeParse(value: unknown): SafeParseReturnType<unknown, T> {
    return this.accepts(value) ? { success: true, data: value as T } : this.schema.safeParse(value);
  }
}

/**
 * A string with no whitespace at either end (JavaScript's `\s` is exactly what `String.prototype.trim` removes):
 * what a zod `.trim()` returns unchanged.
 */
export const TRIMMED_STRING_PATTERN = '^\\S(?:[\\s\\S]*\\S)?$';

/** `tighten` for an object schema whose string property `name` zod trims: only a value with nothing to trim passes. */
export function untrimmedProperty(name: string): (schema: JsonSchema) => JsonSchema {
  return (schema) => {
    const properties = schema['properties'] as Record<string, JsonSchema>;
    return {
      ...schema,
      properties: { ...properties, [name]: { ...properties[name], pattern: TRIMMED_STRING_PATTERN } },
    };
  };
}
