#!/usr/bin/env node
// The `strata` command (package.json "bin"): runs the built CLI. From a fresh clone: `npm install && npm run build`,
// then `npx strata --help`.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const entry = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(`strata: the CLI is not built yet: run \`npm run build\` in ${root} first.\n`);
  process.exit(1);
}
require(entry);
