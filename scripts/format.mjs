#!/usr/bin/env node
// `npm run format`: rewrites the code as Prettier formats it (settings in .prettierrc.json).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { FORMATTED } from './lib/lint-runner.mjs';
import { ensureDependencies, projectRoot } from './lib/process-tools.mjs';

const lintDir = path.join(projectRoot, 'tools', 'lint');
ensureDependencies(lintDir);
const r = spawnSync(path.join(lintDir, 'node_modules', '.bin', 'prettier'), ['--write', '--log-level', 'warn', ...FORMATTED], { cwd: projectRoot, stdio: 'inherit' });
process.exit(r.status ?? 1);
