// Builds the Temporal CLI from Go modules when missing and runs its dev server the way Vigil needs it.
// Plain Node built-ins only: this runs before `npm install` has happened.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, unlinkSync, lstatSync, openSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { log, projectRoot } from './process-tools.mjs';

export const TEMPORAL_CLI_VERSION = '1.5.1';

/** Search attributes Vigil writes on every case workflow; keep in sync with src/temporal/search-attributes.ts. */
export const SEARCH_ATTRIBUTES = {
  VigilTenant: 'Keyword',
  VigilCaseId: 'Keyword',
  VigilSeverity: 'Int',
  VigilPlaybook: 'Keyword',
};

// The dev server's single history shard polls its queues at most 20 times a second by default,
// which puts ~40 ms before every workflow and activity task; lifting the limits is what makes
// a one-activity workflow take ~28 ms instead of ~150 ms here.
const DYNAMIC_CONFIG = [
  'history.transferProcessorMaxPollRPS=10000',
  'history.timerProcessorMaxPollRPS=10000',
  'history.visibilityProcessorMaxPollRPS=10000',
  'history.outboundProcessorMaxPollRPS=10000',
];

function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'vigil', `temporal-${TEMPORAL_CLI_VERSION}`);
}

/** Path of the Temporal CLI, building it from Go modules into the per-user cache when missing. */
export function ensureTemporalCli() {
  const toolsDir = path.join(projectRoot, '.tools');
  const linked = path.join(toolsDir, 'temporal');
  const cached = path.join(cacheDir(), 'temporal');
  if (!existsSync(cached)) {
    const go = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (go.status !== 0) {
      throw new Error('the Temporal CLI is not built and Go is not installed: install Go 1.22+ or put a temporal binary at ' + cached);
    }
    log(`building the Temporal CLI v${TEMPORAL_CLI_VERSION} from Go modules (a few minutes on a fresh machine)…`);
    mkdirSync(cacheDir(), { recursive: true });
    const t0 = Date.now();
    const build = spawnSync('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      stdio: 'inherit',
      env: { ...process.env, GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOBIN: cacheDir() },
    });
    if (build.status !== 0 || !existsSync(cached)) {
      throw new Error(`go install of the Temporal CLI failed (exit ${build.status})`);
    }
    log(`Temporal CLI built in ${((Date.now() - t0) / 1000).toFixed(0)} s at ${cached}`);
  }
  mkdirSync(toolsDir, { recursive: true });
  let present = false;
  try {
    present = lstatSync(linked).isSymbolicLink() || existsSync(linked);
  } catch {
    present = false;
  }
  if (present && !existsSync(linked)) {
    unlinkSync(linked); // a dangling link from an older cache location
    present = false;
  }
  if (!present) symlinkSync(cached, linked);
  return linked;
}

export function canConnect(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function isHealthy(cli, address) {
  const r = spawnSync(cli, ['operator', 'cluster', 'health', '--address', address], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0 && /SERVING/.test(r.stdout);
}

function ensureSearchAttributes(cli, address) {
  const list = spawnSync(cli, ['operator', 'search-attribute', 'list', '--address', address, '-o', 'json'], { encoding: 'utf8', timeout: 10000 });
  const have = list.status === 0 ? list.stdout : '';
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
    if (have.includes(`"${name}"`)) continue;
    const r = spawnSync(cli, ['operator', 'search-attribute', 'create', '--address', address, '--name', name, '--type', type], { encoding: 'utf8', timeout: 10000 });
    if (r.status !== 0) throw new Error(`could not create search attribute ${name} on ${address}: ${r.stderr.trim()}`);
  }
}

/**
 * Starts the dev server, or reuses one already listening. Resolves with `{ address, uiUrl, child, reused }`;
 * `child` is undefined when reused. Fails with a readable error when the port is taken by something else
 * or the server is not healthy within `timeoutMs`.
 */
export async function startTemporalDevServer({ host = '127.0.0.1', port = 7233, uiPort = port + 1000, ui = false, dbFile, logFile, timeoutMs = 60_000 } = {}) {
  const cli = ensureTemporalCli();
  const address = `${host}:${port}`;
  const uiUrl = ui ? `http://${host}:${uiPort}` : undefined;
  if (await canConnect(host, port)) {
    const t0 = Date.now();
    while (!isHealthy(cli, address)) {
      if (Date.now() - t0 > 10_000) throw new Error(`port ${port} on ${host} is taken by something that is not a healthy Temporal server`);
      await new Promise((r) => setTimeout(r, 250));
    }
    ensureSearchAttributes(cli, address);
    log(`reusing the Temporal server already listening at ${address}`);
    return { address, uiUrl, child: undefined, reused: true };
  }
  mkdirSync(path.dirname(dbFile), { recursive: true });
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--db-filename', dbFile, '--log-level', 'warn'];
  if (ui) args.push('--ui-port', String(uiPort));
  else args.push('--headless');
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  for (const value of DYNAMIC_CONFIG) args.push('--dynamic-config-value', value);
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const t0 = Date.now();
  const child = spawn(cli, args, { stdio: ['ignore', out, out], detached: false });
  let exited = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  while (!(await canConnect(host, port)) || !isHealthy(cli, address)) {
    if (exited !== null) throw new Error(`the Temporal dev server exited with code ${exited} before becoming healthy${logFile ? ` (log: ${logFile})` : ''}`);
    if (Date.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the Temporal dev server was not healthy after ${timeoutMs / 1000} s${logFile ? ` (log: ${logFile})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  log(`Temporal dev server healthy at ${address} in ${Date.now() - t0} ms`);
  return { address, uiUrl, child, reused: false };
}
