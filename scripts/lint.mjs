#!/usr/bin/env node
// `npm run lint`: ESLint and the layer rules (dependency-cruiser), both from tools/lint.
import { runLint } from './lib/lint-runner.mjs';

const result = runLint({ inherit: true, eslintArgs: process.argv.slice(2) });
if (result.layers.ok) process.stdout.write('layers: every import follows tools/lint/dependency-rules.cjs\n');
process.exit(result.eslint.ok && result.layers.ok ? 0 : 1);
