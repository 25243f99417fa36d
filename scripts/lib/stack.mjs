// Brings up what Vigil needs in development and tests: dependencies, the build, Temporal, the database, the simulator.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { canConnect, ensureTemporalCli, startTemporalDevServer } from './temporal-server.mjs';
import { ensureBuild, ensureDependencies, log, projectRoot, startNode } from './process-tools.mjs';

export const MAIN = path.join(projectRoot, 'dist', 'src', 'main.js');
export const SIMULATOR_MAIN = path.join(projectRoot, 'dist', 'integrations', 'simulator', 'main.js');

export function prepareCode({ forceBuild = false } = {}) {
  ensureDependencies(projectRoot);
  ensureBuild({ force: forceBuild });
}

/** Runs `node dist/src/main.js <command>` to completion; returns its stdout. */
export function runMainCommand(command, env) {
  const r = spawnSync(process.execPath, ['--enable-source-maps', MAIN, command], { cwd: projectRoot, env: { ...process.env, ...env }, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`vigil ${command} failed (exit ${r.status})`);
  }
  return r.stdout;
}

export async function startTemporal({ ui, dbName }) {
  const t0 = Date.now();
  const server = await startTemporalDevServer({
    host: '127.0.0.1',
    port: Number(process.env.VIGIL_TEMPORAL_PORT ?? 7233),
    ui,
    dbFile: path.join(projectRoot, '.data', dbName),
    logFile: path.join(projectRoot, '.data', 'temporal.log'),
  });
  return { ...server, startMs: Date.now() - t0 };
}

/** Starts the vendor simulator unless something already listens on its port. */
export async function startSimulator(url) {
  const u = new URL(url);
  if (await canConnect(u.hostname, Number(u.port))) {
    log(`reusing the vendor simulator already listening at ${url}`);
    return undefined;
  }
  const child = startNode('simulator', SIMULATOR_MAIN, { env: { VIGIL_SIMULATOR_HOST: u.hostname, VIGIL_SIMULATOR_PORT: u.port } });
  for (let i = 0; i < 100; i += 1) {
    if (await canConnect(u.hostname, Number(u.port))) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the vendor simulator did not start at ${url}`);
}

/** Waits until a worker started at `since` polls the task queue for workflow tasks. */
export async function waitForWorker(address, taskQueue, since, exited, timeoutMs = 120_000) {
  const cli = ensureTemporalCli();
  const t0 = Date.now();
  for (;;) {
    const r = spawnSync(cli, ['task-queue', 'describe', '--address', address, '--task-queue', taskQueue, '-o', 'json'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) {
      const pollers = JSON.parse(r.stdout).pollers ?? [];
      if (pollers.some((p) => p.taskQueueType === 'workflow' && Date.parse(p.lastAccessTime) >= since - 1000)) return;
    }
    if (exited()) throw new Error('the worker exited during start-up');
    if (Date.now() - t0 > timeoutMs) throw new Error(`no worker polled ${taskQueue} within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs a compiled entry point in the foreground: signals are passed on, its exit code becomes ours. */
export function runForeground(entry, args = [], env = process.env) {
  const child = spawn(process.execPath, ['--enable-source-maps', entry, ...args], { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
