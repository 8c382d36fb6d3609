import { mkdirSync, mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface BuildIfStale {
  staleReason(root: string): string | undefined;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS: it runs before anything is built
const { staleReason } = require('./build-if-stale.js') as BuildIfStale;

const HOUR_AGO = new Date(Date.now() - 3_600_000);
const NOW = new Date();

/** A project tree whose every file and folder dates from an hour ago, built (stamped) now. */
function builtProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'strata-build-'));
  const files = ['libs/a/src/a.ts', 'libs/a/src/a.spec.ts', 'apps/x/src/main.ts', 'tsconfig.base.json'];
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  for (const path of [...files, 'libs/a/src', 'libs/a', 'libs', 'apps/x/src', 'apps/x', 'apps']) {
    utimesSync(join(root, path), HOUR_AGO, HOUR_AGO);
  }
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist', '.build-stamp'), '');
  utimesSync(join(root, 'dist', '.build-stamp'), NOW, NOW);
  return root;
}

describe('build-if-stale (npm start builds only when a source changed)', () => {
  let root: string;
  beforeEach(() => {
    root = builtProject();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('skips the build when nothing changed since the last one', () => {
    expect(staleReason(root)).toBeUndefined();
  });

  it('builds when there is no build yet', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    expect(staleReason(root)).toBe('no build yet');
  });

  it('builds again after a source file is edited', () => {
    const later = new Date(NOW.getTime() + 1_000);
    utimesSync(join(root, 'libs/a/src/a.ts'), later, later);
    expect(staleReason(root)).toContain(join('libs', 'a', 'src', 'a.ts'));
  });

  it('builds again after a source file is deleted (its folder changes)', () => {
    unlinkSync(join(root, 'apps/x/src/main.ts'));
    expect(staleReason(root)).toContain(join('apps', 'x', 'src'));
  });

  it('builds again after the compiler settings change', () => {
    const later = new Date(NOW.getTime() + 1_000);
    utimesSync(join(root, 'tsconfig.base.json'), later, later);
    expect(staleReason(root)).toContain('tsconfig.base.json');
  });

  it('ignores edited tests, which the build does not compile', () => {
    const later = new Date(NOW.getTime() + 1_000);
    utimesSync(join(root, 'libs/a/src/a.spec.ts'), later, later);
    expect(staleReason(root)).toBeUndefined();
  });
});
