import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type pg from 'pg';
import { PROJECT_ROOT } from '../src/config/project-paths.js';

/** Stops a benchmark's child process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** True when something accepts TCP connections at host:port within half a second. */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export interface HttpReply {
  status: number;
  body: string;
}

/** One request to the API on 127.0.0.1 over `agent` (keep-alive), with a Bearer key and an optional JSON body. */
export function apiRequest(agent: http.Agent, port: number, method: string, urlPath: string, key: string, body?: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${key}` };
    if (body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The sample at percentile `p` of an ascending list (nearest rank); NaN for none. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Figures {
  count: number;
  seconds: number;
  rate: number;
  p50: number;
  p95: number;
}

export const round1 = (n: number): number => Math.round(n * 10) / 10;

/** Count, rate and latency percentiles of one phase. */
export function figures(latenciesMs: number[], seconds: number): Figures {
  const sorted = [...latenciesMs].sort((x, y) => x - y);
  return { count: sorted.length, seconds: round1(seconds), rate: round1(sorted.length / seconds), p50: round1(percentile(sorted, 50)), p95: round1(percentile(sorted, 95)) };
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable with Temporal's event times on this machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every `intervalMs` until it gives a value; throws naming `what` (and the last error) after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 100): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

/** A Node child process of the benchmark (Vigil's `api`, `worker`, `migrate`…), its stdout drained, its unexpected end logged. */
export function startChild(name: string, args: string[], env: Record<string, string>, log: (message: string) => void): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout?.on('data', () => undefined);
  child.once('exit', (code, signal) => {
    if (code !== 0 && code !== null) log(`${name} exited with code ${code}`);
    else if (signal && signal !== 'SIGTERM') log(`${name} ended by ${signal}`);
  });
  return child;
}

interface TemporalServerModule {
  startTemporalDevServer(options: { host: string; port: number; ui: boolean; dbFile: string; logFile?: string }): Promise<{ address: string; child: ChildProcess | undefined }>;
  canConnect(host: string, port: number): Promise<boolean>;
}

/**
 * A Temporal dev server of the benchmark's own, with the development flags (poll limits lifted), its data in `work`,
 * on the first free port counting down from `port`, so the shared server is neither loaded nor polluted.
 */
export async function startOwnTemporal(work: string, port: number): Promise<{ address: string; child: ChildProcess | undefined }> {
  const serverLib = (await import(pathToFileURL(path.join(PROJECT_ROOT, 'scripts', 'lib', 'temporal-server.mjs')).href)) as TemporalServerModule;
  while (await serverLib.canConnect('127.0.0.1', port)) port -= 1;
  return serverLib.startTemporalDevServer({ host: '127.0.0.1', port, ui: false, dbFile: path.join(work, 'temporal.db'), logFile: path.join(work, 'temporal.log') });
}

/** Drops and creates a database of the benchmark's own. */
export async function recreateDatabase(admin: pg.Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
}

/** Runs Vigil's `migrate` command to its end, so the API and the worker do not race for it. */
export function migrate(entry: string, env: Record<string, string>, log: (message: string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const m = startChild('migrate', [entry, 'migrate'], env, log);
    m.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate exited with ${code}`))));
  });
}
