#!/usr/bin/env node
// `npm run lint`: ESLint from tools/lint (installed there on first use).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureDependencies, projectRoot } from './lib/process-tools.mjs';

const lintDir = path.join(projectRoot, 'tools', 'lint');
ensureDependencies(lintDir);
const r = spawnSync(path.join(lintDir, 'node_modules', '.bin', 'eslint'), ['--config', path.join(lintDir, 'eslint.config.js'), ...process.argv.slice(2), '.'], {
  cwd: projectRoot,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
