#!/usr/bin/env node
// `npm run temporal`: build the Temporal CLI if missing and run the dev server in the foreground (Ctrl-C stops it).
import path from 'node:path';
import { log, projectRoot } from './lib/process-tools.mjs';
import { startTemporalDevServer } from './lib/temporal-server.mjs';

const ui = !process.argv.includes('--headless');
try {
  const server = await startTemporalDevServer({ ui, dbFile: path.join(projectRoot, '.data', 'temporal.db') });
  if (!server.child) process.exit(0);
  log(`Temporal at ${server.address}${server.uiUrl ? `, UI at ${server.uiUrl}` : ''}; Ctrl-C stops it`);
  const stop = () => server.child.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.once('exit', (code) => process.exit(code ?? 0));
} catch (error) {
  log(`error: ${error.message}`);
  process.exit(1);
}
