#!/usr/bin/env node
// `npm start`: the whole Vigil stack on one machine. Installs and builds what is missing, starts the Temporal dev
// server (with its UI), the vendor simulator, migrates the database, then runs the API and the worker.
// Ctrl-C stops everything, the worker first finishing what it has in flight.
import { log, stopAll, startNode } from './lib/process-tools.mjs';
import { MAIN, prepareCode, runMainCommand, startSimulator, startTemporal, waitForWorker } from './lib/stack.mjs';
import { developmentSecretsKeys } from './lib/secrets-key.mjs';

const children = [];
let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  const [temporal, simulator, ...apps] = children;
  await stopAll(apps, 15_000);
  await stopAll([simulator, temporal], 5_000);
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  prepareCode();
  const apiPort = process.env.VIGIL_API_PORT ?? '3000';
  const apiHost = process.env.VIGIL_API_HOST ?? '127.0.0.1';
  const simulatorUrl = process.env.VIGIL_SIMULATOR_URL ?? 'http://127.0.0.1:4010';
  const temporal = await startTemporal({ ui: true, dbName: 'temporal.db' });
  children.push(temporal.child);
  children.push(await startSimulator(simulatorUrl));
  const env = {
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_UI_URL: temporal.uiUrl ?? process.env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233',
    VIGIL_SIMULATOR_URL: simulatorUrl,
    // Tenants without a connection of their own use the simulator's; secrets are encrypted with the development key.
    VIGIL_SIMULATOR_CONNECTIONS: process.env.VIGIL_SIMULATOR_CONNECTIONS ?? 'true',
    ...(process.env.NODE_ENV === 'production' ? {} : { VIGIL_SECRETS_KEYS: developmentSecretsKeys() }),
  };
  runMainCommand('migrate', env);
  const newKey = runMainCommand('bootstrap-key', env).trim();
  runMainCommand('simulator-connections', env);
  // The worker first: the API is announced once a worker polls, so the first alert does not wait for the workflow bundle.
  const workerStart = Date.now();
  children.push(startNode('worker', MAIN, { env, args: ['worker'] }));
  await waitForWorker(temporal.address, process.env.VIGIL_TASK_QUEUE ?? 'vigil', workerStart, () => children[2].exitCode !== null);
  children.push(startNode('api', MAIN, { env, args: ['api'] }));
  const api = `http://${apiHost}:${apiPort}`;
  for (let i = 0; ; i += 1) {
    const ok = await fetch(`${api}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 600) throw new Error('the API did not become ready within 60 s');
    if (children.slice(2).some((c) => c.exitCode !== null)) throw new Error('the API or the worker exited during start-up');
    await new Promise((r) => setTimeout(r, 100));
  }
  const lines = [
    '',
    'Vigil is running.',
    `  API            ${api}`,
    `  API docs       ${api}/docs`,
    `  Temporal UI    ${env.TEMPORAL_UI_URL}`,
    `  Temporal       ${temporal.address}`,
    `  Simulator      ${simulatorUrl}   (tenant default's connections point here)`,
    process.env.VIGIL_ADMIN_KEY
      ? '  Admin key      the value of VIGIL_ADMIN_KEY (tenant default)'
      : newKey
        ? `  Admin key      ${newKey}   (tenant default; shown once, keep it)`
        : '  Admin key      created on an earlier start (shown then); set VIGIL_ADMIN_KEY to choose one',
    '',
    `Try:  curl -X POST ${api}/api/v1/alerts/generic -H "authorization: Bearer <key>" -H 'content-type: application/json' \\`,
    `        -d '{"title":"test alert","severity":"high","observables":[{"type":"ip","value":"203.0.113.9"}]}'`,
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
} catch (error) {
  log(`error: ${error.message}`);
  await shutdown(1);
}
