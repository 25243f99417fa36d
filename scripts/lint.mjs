#!/usr/bin/env node
// `npm run lint`: ESLint, the layer rules (dependency-cruiser) and the format check (Prettier), all from tools/lint.
import { runLint } from './lib/lint-runner.mjs';

const result = runLint({ inherit: true, eslintArgs: process.argv.slice(2) });
if (result.layers.ok) process.stdout.write('layers: every import follows tools/lint/dependency-rules.cjs\n');
if (result.format.ok) process.stdout.write('format: every file as Prettier writes it (fix with: npm run format)\n');
process.exit(result.eslint.ok && result.layers.ok && result.format.ok ? 0 : 1);
