#!/usr/bin/env node
// The `vigil` command: builds Vigil when the sources are newer than dist/ (or dependencies are missing),
// then runs dist/src/cli/vigil.js. See `vigil help`.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuild, ensureDependencies, projectRoot } from '../scripts/lib/process-tools.mjs';

try {
  ensureDependencies(projectRoot);
  ensureBuild();
} catch (error) {
  process.stderr.write(`vigil: ${error.message}\n`);
  process.exit(1);
}
const { runVigil } = await import(pathToFileURL(path.join(projectRoot, 'dist', 'src', 'cli', 'vigil.js')).href);
const code = await runVigil(process.argv.slice(2), process.env);
// The Temporal SDK's native runtime can keep the event loop alive after a command is done.
process.exit(code);
