#!/usr/bin/env node
// `npm run format`: rewrites the code as Prettier formats it (settings in .prettierrc.json).
import { ensureLintTools, FORMATTED, runLintTool } from './lib/lint-runner.mjs';

ensureLintTools();
process.exit(runLintTool('prettier', ['--write', '--log-level', 'warn', ...FORMATTED], true).ok ? 0 : 1);
