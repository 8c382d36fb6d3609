#!/usr/bin/env node
// `npm start`'s prestart: builds only when the build output is older than a source it derives from.
// A successful build leaves dist/.build-stamp, dated when that build began; the build is stale when any
// compiled source (or folder: files added, renamed or deleted change its date), tsconfig or
// package-lock.json is newer than the stamp, or the stamp is missing. Stale: an incremental `tsc`
// (dist/.tsbuildinfo) and tsc-alias, then a new stamp. Checking takes milliseconds; nothing is cached
// beside dist/, so `rm -rf dist` always means a full build.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const STAMP = join('dist', '.build-stamp');
/** What the build reads (tsconfig.build.json's include, and the settings and packages it compiles with). */
const SOURCE_ROOTS = ['apps', 'libs', 'tools', 'bench'];
const SOURCE_FILES = ['tsconfig.base.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'coverage', '.nx', 'results']);
const TEST_FILE = /\.(spec|integration-spec|e2e-spec)\.ts$/;

/**
 * The first source newer than `since` (ms since the epoch), or undefined when none is: a compiled `.ts`
 * file or a folder holding them. Tests are not compiled by the build, so they never make it stale.
 */
function newerSource(root, since) {
  for (const file of SOURCE_FILES) {
    const path = join(root, file);
    if (existsSync(path) && statSync(path).mtimeMs > since) return file;
  }
  const walk = (dir) => {
    if (statSync(dir).mtimeMs > since) return dir;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
        const found = walk(path);
        if (found) return found;
      } else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) && statSync(path).mtimeMs > since) {
        return path;
      }
    }
    return undefined;
  };
  for (const dir of SOURCE_ROOTS) {
    const path = join(root, dir);
    if (!existsSync(path)) continue;
    const found = walk(path);
    if (found) return relative(root, found) || found;
  }
  return undefined;
}

/** Why the build in `root` must run again, or undefined when its output is current. */
function staleReason(root) {
  const stamp = join(root, STAMP);
  if (!existsSync(stamp)) return 'no build yet';
  const changed = newerSource(root, statSync(stamp).mtimeMs);
  return changed === undefined ? undefined : `${changed} changed since the last build`;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

function main() {
  const reason = staleReason(ROOT);
  if (reason === undefined) {
    process.stderr.write('build is up to date (sources unchanged since dist/.build-stamp)\n');
    return 0;
  }
  process.stderr.write(`building: ${reason}\n`);
  const began = new Date();
  const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
  const tsc = run(bin('tsc'), [
    '-p',
    'tsconfig.build.json',
    '--incremental',
    '--tsBuildInfoFile',
    join('dist', '.tsbuildinfo'),
  ]);
  if (tsc !== 0) return tsc;
  const alias = run(bin('tsc-alias'), ['-p', 'tsconfig.build.json']);
  if (alias !== 0) return alias;
  // Dated when the build began: a source saved while it ran is newer, so the next start builds again.
  writeFileSync(join(ROOT, STAMP), `${began.toISOString()}\n`);
  utimesSync(join(ROOT, STAMP), began, began);
  return 0;
}

if (require.main === module) process.exit(main());

module.exports = { newerSource, staleReason };
