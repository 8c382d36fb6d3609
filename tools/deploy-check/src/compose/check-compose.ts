import { loadConfig } from '@strata/config';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LOOPBACK, STRATA_APPS } from '../checks/app-config.check';
import { RUNTIME_ENV_NAMES } from '../checks/env-names';
import { type Finding, finding } from '../checks/finding';
import { isRecord } from '../manifest';
import { vendorFile } from '../vendor-file';

const CHECK = 'compose';
/** The Compose Specification schema, vendored (see vendor/compose-spec/README.md). */
const SCHEMA_FILE = () => vendorFile('compose-spec', 'compose-spec.json');
const DOCKERFILE = 'deploy/docker/Dockerfile';

let validator: ValidateFunction | undefined;
function composeValidator(): ValidateFunction {
  if (!validator) {
    // The schema is draft-07 and uses no `format`; strict mode would refuse its non-standard keywords
    // (`deprecated` on properties). Its `$schema` spells draft-07 as https://…/schema, which ajv does not
    // know by that name: ajv's own draft-07 (the default) validates it instead.
    const ajv = new Ajv({ allErrors: true, strict: false });
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(SCHEMA_FILE(), 'utf8')) as Record<string, unknown>;
    validator = ajv.compile(schema);
  }
  return validator;
}

function describe(error: ErrorObject): string {
  const at = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '(root)';
  const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
  return `${at} ${error.message ?? 'is invalid'}${extra}`;
}

/** Compose `environment`: a map or a list of `NAME=value`. */
function environmentOf(service: Record<string, unknown>): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e) => {
        const text = String(e);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  return isRecord(env)
    ? Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v)]),
      )
    : {};
}

const words = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(/\s+/) : [];

/**
 * deploy/compose.yaml: valid against the Compose Specification (ajv, the vendored schema) and what it is
 * for — the four services built from the one Dockerfile with their own APP, an environment that Strata
 * reads and whose configuration loads in distributed mode, and the real backing images: apache/kafka,
 * redis (with an eviction policy that keeps the purge generations) and qdrant/qdrant.
 */
export function checkCompose(subject: string, text: string, envNames: ReadonlySet<string>): Finding[] {
  let document: unknown;
  try {
    document = parse(text, { merge: true });
  } catch (err) {
    return [finding(CHECK, subject, `is not valid YAML: ${(err as Error).message}`)];
  }
  const validate = composeValidator();
  if (!validate(document)) return (validate.errors ?? []).map((e) => finding(CHECK, subject, describe(e)));
  const out: Finding[] = [];
  const services = isRecord(document) && isRecord(document.services) ? document.services : {};
  const image = (name: string) => {
    const service = services[name];
    return isRecord(service) && typeof service.image === 'string' ? service.image : '';
  };
  for (const [name, pattern] of [
    ['kafka', /^apache\/kafka:/],
    ['redis', /^(redis|valkey\/valkey):/],
    ['qdrant', /^qdrant\/qdrant:/],
  ] as const) {
    if (!pattern.test(image(name)))
      out.push(finding(CHECK, subject, `service ${name} must run the ${String(pattern)} image, not "${image(name)}"`));
  }
  const redis = services.redis;
  if (isRecord(redis)) {
    const args = words(redis.command);
    const at = args.indexOf('--maxmemory-policy');
    const policy = at >= 0 ? args[at + 1] : undefined;
    if (policy !== undefined && !/^(volatile-(lru|lfu|random|ttl)|noeviction)$/.test(policy))
      out.push(
        finding(CHECK, subject, `redis runs with --maxmemory-policy ${policy}, which can evict the purge generations`),
      );
  }
  for (const app of STRATA_APPS) {
    const service = services[app];
    if (!isRecord(service)) {
      out.push(finding(CHECK, subject, `has no ${app} service`));
      continue;
    }
    const build = isRecord(service.build) ? service.build : {};
    const args = isRecord(build.args) ? build.args : {};
    if (build.dockerfile !== DOCKERFILE || args.APP !== app)
      out.push(finding(CHECK, subject, `${app} must build from ${DOCKERFILE} with args APP: ${app}`));
    const env = environmentOf(service);
    for (const envName of Object.keys(env)) {
      if (!envNames.has(envName) && !RUNTIME_ENV_NAMES.has(envName))
        out.push(
          finding(
            CHECK,
            subject,
            `${app} sets ${envName}, which Strata does not read (see libs/config/src/load-config.ts)`,
          ),
        );
    }
    try {
      const config = loadConfig(env);
      if (config.mode !== 'distributed') out.push(finding(CHECK, subject, `${app} does not run in distributed mode`));
      if (app === 'gateway' && LOOPBACK.test(config.http.host))
        out.push(
          finding(
            CHECK,
            subject,
            `gateway binds ${config.http.host} inside its container: its published port reaches nothing (set STRATA_API_KEYS)`,
          ),
        );
    } catch (err) {
      out.push(finding(CHECK, subject, `${app}: the configuration does not load: ${(err as Error).message}`));
    }
  }
  return out;
}
