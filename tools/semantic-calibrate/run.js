#!/usr/bin/env node
// Runs the TypeScript without a build step (see tools/ts-register.js).
// Usage: npm run calibrate -- --pairs <file.jsonl> [--pairs …] [--target 0.02] [--out file.json] [--svg file.svg]
'use strict';
require('../ts-register.js');
require('./src/main.ts');
