import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The console's files: a fixed list (nothing else under the folder is ever served). */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
};

/**
 * Where the assets are: next to this file when run from source (tests) or when the image copied them beside
 * the compiled code; else in the source tree beside `dist/` (`npm start` from a clone: tsc copies no assets).
 */
function assetsDir(): string | undefined {
  const candidates = [
    join(__dirname, 'assets'),
    join(__dirname, '..', '..', '..', '..', '..', 'libs', 'service-gateway', 'src', 'console', 'assets'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Reads the console's files once, at startup (a few tens of kB); empty when they are not installed. */
export function loadConsoleAssets(dir = assetsDir()): ReadonlyMap<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  if (dir === undefined) return assets;
  for (const [name, contentType] of Object.entries(FILES))
    assets.set(name, { body: readFileSync(join(dir, name)), contentType });
  return assets;
}
