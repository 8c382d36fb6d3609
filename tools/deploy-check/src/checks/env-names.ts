import { readFileSync } from 'node:fs';

/**
 * The environment variables the apps read: parsed from libs/config/src/load-config.ts (the only place
 * that reads `process.env`), from calls like `str(env, 'NAME')`, `env['NAME']` and `env.NAME`.
 */
export function parseEnvNames(source: string): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g,
    /\benv\.([A-Z][A-Z0-9_]*)\b/g,
  ];
  for (const pattern of patterns) {
    for (const match of source.matchAll(pattern)) names.add(match[1]);
  }
  return names;
}

export function readEnvNames(loadConfigPath: string): Set<string> {
  const names = parseEnvNames(readFileSync(loadConfigPath, 'utf8'));
  if (names.size === 0)
    throw new Error(`${loadConfigPath}: found no environment variable names; has the file changed shape?`);
  return names;
}

/** Variables read by Node.js itself, not by Strata's config: allowed on app containers too. */
export const RUNTIME_ENV_NAMES: ReadonlySet<string> = new Set([
  'NODE_ENV',
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
  'TZ',
  'UV_THREADPOOL_SIZE',
]);
