import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A file under tools/deploy-check/vendor, from the sources (jest, ts-node) or from the build output
 * (dist/tools/deploy-check/src/…, where the vendored files are not copied).
 */
export function vendorFile(...parts: string[]): string {
  const candidates = [
    join(__dirname, '..', 'vendor', ...parts),
    join(__dirname, '..', '..', '..', '..', 'tools', 'deploy-check', 'vendor', ...parts),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`vendored file ${parts.join('/')} not found (looked in ${candidates.join(', ')})`);
  return found;
}
