#!/usr/bin/env node
// Runs the TypeScript without a build step (see tools/ts-register.js).
// Usage: node tools/semantic-eval/run.js [--data ../shared/data] [--out file.md] [--fit]
'use strict';
require('../ts-register.js');
require('./src/main.ts');
