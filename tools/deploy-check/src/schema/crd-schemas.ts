import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isRecord } from '../manifest';
import { vendorFile } from '../vendor-file';

/** Vendored CRDs whose served versions deploy-check validates custom resources against (see vendor/strimzi/README.md). */
const CRD_FILES = ['040-Crd-kafka.yaml', '04A-Crd-kafkanodepool.yaml', '043-Crd-kafkatopic.yaml'];

interface CrdValidation {
  readonly ok: boolean;
  readonly errors: string[];
}

let validators: Map<string, ValidateFunction> | undefined;

/**
 * The API server prunes fields a structural schema does not declare, silently: a misspelt field is lost.
 * Every object schema that lists its properties (and does not preserve unknown fields) gets
 * `additionalProperties: false`, so such a field is an error here instead.
 */
function refuseUnknownFields(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(refuseUnknownFields);
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === 'properties' && isRecord(value)
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, refuseUnknownFields(sub)]))
        : refuseUnknownFields(value);
  }
  if (
    isRecord(schema.properties) &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  )
    out.additionalProperties = false;
  return out;
}

/**
 * `apiVersion kind` → a validator of the CRD's `openAPIV3Schema` for every served version. The OpenAPI
 * extensions (`x-kubernetes-*`, `nullable`) are not JSON Schema keywords: ajv ignores them (strict: false).
 */
function crdValidators(): Map<string, ValidateFunction> {
  if (validators) return validators;
  const ajv = new Ajv({ allErrors: true, strict: false });
  validators = new Map();
  for (const name of CRD_FILES) {
    const file = vendorFile('strimzi', name);
    const crd = parse(readFileSync(file, 'utf8')) as unknown;
    if (!isRecord(crd) || !isRecord(crd.spec) || !isRecord(crd.spec.names)) throw new Error(`${file}: not a CRD`);
    const group = String(crd.spec.group);
    const kind = String(crd.spec.names.kind);
    for (const version of Array.isArray(crd.spec.versions) ? crd.spec.versions : []) {
      if (!isRecord(version) || version.served !== true || !isRecord(version.schema)) continue;
      validators.set(
        `${group}/${String(version.name)} ${kind}`,
        ajv.compile(refuseUnknownFields(version.schema.openAPIV3Schema) as object),
      );
    }
  }
  return validators;
}

function describe(error: ErrorObject): string {
  const at = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '(root)';
  const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
  return `${at} ${error.message ?? 'is invalid'}${extra}`;
}

/** Validates a custom resource against its vendored CRD; undefined when no vendored CRD defines its kind. */
export function validateCustomResource(apiVersion: string, kind: string, object: unknown): CrdValidation | undefined {
  const validate = crdValidators().get(`${apiVersion} ${kind}`);
  if (!validate) return undefined;
  const ok = validate(object);
  return { ok, errors: ok ? [] : (validate.errors ?? []).map(describe) };
}
