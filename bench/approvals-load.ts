/**
 * The approvals half of `npm run bench:cases`: many cases waiting on an approval at once.
 *
 *   - a database of its own (`vigil_bench_approvals`, dropped and created again, dropped at the end);
 *   - the Temporal server at 127.0.0.1:7233 when one answers, else one of its own (another port, development flags);
 *   - one playbook: an `approval` step (level: analyst, 1h, default reject) then an `end` step;
 *   - `api` and `worker` as child processes on their own task queue;
 *   - posts `cases` generic alerts with distinct titles and hosts (one case and one waiting run each),
 *     waits until every approval is pending, reads the worker's RSS (target ≤ 1 GB), then decides them all
 *     through `POST /api/v1/approvals/{id}/decision` as an analyst and waits until every run has completed.
 *
 * `GET /api/v1/approvals` answers at most 200 rows and has no cursor, so the count of pending approvals
 * and their ids are read from the benchmark's own database; the API is checked to answer a full page.
 */
import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/config/project-paths.js';
import { apiRequest, freePort, stopChild } from './bench-support.js';

const DATABASE = 'vigil_bench_approvals';
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
export const TARGET_WORKER_RSS_MB = 1024;

const PLAYBOOK = `id: bench_approvals
name: Approvals benchmark
version: "1.0.0"
priority: 100
steps:
  - id: ask
    kind: approval
    question: "Close the case about {{alert.device.hostname}}?"
    levels:
      - { roles: [analyst], timeout: 1h }
    defaultOutcome: reject
  - id: done
    kind: end
    status: triaged
    summary: approved by the benchmark
`;

export interface ApprovalsOptions {
  /** Cases waiting on an approval at once (default 1,000). */
  cases?: number;
  /** Requests in flight when posting alerts and deciding (default 32). */
  concurrency?: number;
  /** Bound of each wait (all pending, all completed), in ms (default 180 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface LatencyFigures {
  count: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
  max: number;
}

export interface ApprovalsFigures {
  measured: true;
  cases: number;
  concurrency: number;
  temporal: string;
  alerts: LatencyFigures;
  /** From the first alert posted until every approval is pending. */
  allPendingSeconds: number;
  workerRssMb: number;
  workerPeakRssMb: number;
  apiRssMb: number;
  targetWorkerRssMb: number;
  workerRssPass: boolean;
  decisions: LatencyFigures;
  /** From the first decision sent until every case's run has completed. */
  allCompletedSeconds: number;
  workerRssAfterMb: number;
}

async function lib<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(path.join(PROJECT_ROOT, 'scripts', 'lib', file)).href)) as T;
}

interface TemporalServerLib {
  startTemporalDevServer(options: {
    host: string;
    port: number;
    ui: boolean;
    dbFile: string;
    logFile?: string;
  }): Promise<{ address: string; child: ChildProcess | undefined; reused: boolean }>;
  canConnect(host: string, port: number): Promise<boolean>;
}

function latencyFigures(samples: number[], seconds: number): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { count: sorted.length, seconds: r(seconds), perSecond: r(sorted.length / seconds), p50: r(at(0.5)), p95: r(at(0.95)), max: r(sorted[sorted.length - 1] ?? NaN) };
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
async function inParallel<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** Resident and peak resident set of a process, in MB, from /proc; NaN when it is gone. */
function rssMb(pid: number | undefined): { rss: number; peak: number } {
  if (pid === undefined) return { rss: NaN, peak: NaN };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: Math.round(kb('VmRSS') / 102.4) / 10, peak: Math.round(kb('VmHWM') / 102.4) / 10 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function startChild(name: string, role: string, env: Record<string, string>, log: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN, role], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (code !== 0 && code !== null) log(`${name} exited with code ${code}`);
    else if (signal && signal !== 'SIGTERM') log(`${name} ended by ${signal}`);
  });
  return child;
}

async function count(db: pg.Pool, sql: string): Promise<number> {
  return (await db.query<{ n: number }>(sql)).rows[0]!.n;
}

export async function measureApprovals(options: ApprovalsOptions = {}): Promise<ApprovalsFigures> {
  const cases = options.cases ?? 1000;
  const concurrency = options.concurrency ?? 32;
  const timeoutMs = options.timeoutMs ?? 180_000;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const runId = randomBytes(4).toString('hex');
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-approvals-'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  let db: pg.Pool | undefined;
  let api: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let temporalChild: ChildProcess | undefined;
  let address = '127.0.0.1:7233';
  try {
    // The shared development server when it answers (reused, never stopped), else one of our own on
    // another port, so nothing else in the session comes to depend on a server this benchmark stops.
    const temporal = await lib<TemporalServerLib>('temporal-server.mjs');
    let temporalPort = 7233;
    if (!(await temporal.canConnect('127.0.0.1', temporalPort))) {
      temporalPort = 7297;
      while (await temporal.canConnect('127.0.0.1', temporalPort)) temporalPort -= 1;
    }
    const server = await temporal.startTemporalDevServer({
      host: '127.0.0.1',
      port: temporalPort,
      ui: false,
      dbFile: path.join(work, 'temporal.db'),
      logFile: path.join(work, 'temporal.log'),
    });
    temporalChild = server.reused ? undefined : server.child;
    address = server.address;

    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    const playbooksDir = path.join(work, 'playbooks');
    mkdirSync(playbooksDir);
    writeFileSync(path.join(playbooksDir, 'bench-approvals.yaml'), PLAYBOOK);

    const port = await freePort();
    const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
    const env: Record<string, string> = {
      // development: production also wants TLS-grade settings the benchmark has no use for.
      NODE_ENV: 'development',
      DATABASE_URL,
      TEMPORAL_ADDRESS: address,
      VIGIL_TASK_QUEUE: `vigil-bench-approvals-${runId}`,
      VIGIL_PLAYBOOKS_DIR: playbooksDir,
      VIGIL_ADMIN_KEY: adminKey,
      VIGIL_API_HOST: '127.0.0.1',
      VIGIL_API_PORT: String(port),
      VIGIL_SIMULATOR_CONNECTIONS: 'true',
      VIGIL_SECRETS_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      VIGIL_LINK_SIGNING_KEY: randomBytes(32).toString('hex'),
      VIGIL_LOG_LEVEL: 'warn',
      // Case workflows outlive their run while they wait for more alerts; keep that short on a shared server.
      VIGIL_CASE_IDLE_TIMEOUT: '2m',
    };
    const migrated = spawnSync(process.execPath, [MAIN, 'migrate'], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    if (migrated.status !== 0) throw new Error(`vigil migrate failed: ${migrated.stderr}`);
    api = startChild('vigil api', 'api', env, log);
    worker = startChild('vigil worker', 'worker', env, log);
    await waitFor(
      'the API',
      30_000,
      async () => {
        if (api!.exitCode !== null) throw new Error(`the API exited with code ${api!.exitCode}`);
        return (await apiRequest(agent, port, 'GET', '/healthz', adminKey).catch(() => ({ status: 0, body: '' }))).status === 200 ? true : undefined;
      },
      100,
    );
    if (worker.exitCode !== null) throw new Error(`the worker exited with code ${worker.exitCode}`);

    db = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    const tenant = await db.query<{ id: string }>(`SELECT id FROM tenants WHERE slug = 'default'`);
    const tenantId = tenant.rows[0]!.id;
    // Alert-triggered runs are requested by `playbook`, so an analyst key may decide them (the level is for analysts).
    const created = await apiRequest(agent, port, 'POST', `/api/v1/tenants/${tenantId}/api-keys`, adminKey, JSON.stringify({ name: 'bench approver', role: 'analyst' }));
    if (created.status !== 201) throw new Error(`creating the analyst key answered ${created.status}: ${created.body.slice(0, 300)}`);
    const analystKey = (JSON.parse(created.body) as { key: string }).key;

    log(
      `approvals: ${cases.toLocaleString('en')} cases each waiting on an approval; concurrency ${concurrency}; Temporal ${address}${temporalChild ? ' (own)' : ''}; worker pid ${worker.pid}`,
    );
    const alertLatencies: number[] = [];
    const t0 = performance.now();
    await inParallel(
      Array.from({ length: cases }, (_, i) => i),
      concurrency,
      async (i) => {
        const body = JSON.stringify({
          title: `Approval benchmark ${runId} alert ${i}`,
          severity: 'high',
          sourceId: `approvals-${runId}-${i}`,
          host: `appr-${runId}-host-${i}`,
          rule: `bench_approvals_${i}`,
          observables: [{ type: 'ip', value: `198.51.${Math.floor(i / 250) % 250}.${(i % 250) + 1}` }],
        });
        const sent = performance.now();
        const reply = await apiRequest(agent, port, 'POST', '/api/v1/alerts/generic', analystKey, body);
        alertLatencies.push(performance.now() - sent);
        if (reply.status !== 202) throw new Error(`alert ${i}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
      },
    );
    const alerts = latencyFigures(alertLatencies, (performance.now() - t0) / 1000);
    const distinctCases = await count(db, `SELECT count(*)::int AS n FROM cases`);
    if (distinctCases !== cases) throw new Error(`${cases} alerts made ${distinctCases} cases, expected one case each`);

    await waitFor(`${cases} pending approvals`, timeoutMs, async () => {
      const n = await count(db!, `SELECT count(*)::int AS n FROM approvals WHERE status = 'pending'`);
      return n >= cases ? n : undefined;
    });
    const allPendingSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const worker1 = rssMb(worker.pid);
    const api1 = rssMb(api.pid);
    const page = await apiRequest(agent, port, 'GET', '/api/v1/approvals?status=pending&limit=200', analystKey);
    const pageItems = (JSON.parse(page.body) as { items: Array<{ id: string; status: string }> }).items;
    if (page.status !== 200 || pageItems.length !== Math.min(200, cases) || pageItems.some((a) => a.status !== 'pending')) {
      throw new Error(`GET /api/v1/approvals?status=pending answered ${page.status} with ${pageItems.length} items`);
    }
    log(`  all ${cases} approvals pending ${allPendingSeconds} s after the first alert; worker RSS ${worker1.rss} MB (peak ${worker1.peak} MB), API RSS ${api1.rss} MB`);

    const ids = (await db.query<{ id: string }>(`SELECT id FROM approvals WHERE status = 'pending' ORDER BY created_at, id`)).rows.map((r) => r.id);
    const decisionLatencies: number[] = [];
    const d0 = performance.now();
    await inParallel(ids, concurrency, async (id) => {
      const sent = performance.now();
      const reply = await apiRequest(agent, port, 'POST', `/api/v1/approvals/${id}/decision`, analystKey, JSON.stringify({ decision: 'approve', comment: 'benchmark' }));
      decisionLatencies.push(performance.now() - sent);
      if (reply.status !== 200) throw new Error(`decision on ${id}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
      const outcome = (JSON.parse(reply.body) as { outcome: string }).outcome;
      if (outcome !== 'approved') throw new Error(`decision on ${id}: outcome ${outcome}, expected approved`);
    });
    const decisions = latencyFigures(decisionLatencies, (performance.now() - d0) / 1000);
    await waitFor(`${cases} completed runs`, timeoutMs, async () => {
      const n = await count(db!, `SELECT count(*)::int AS n FROM cases WHERE run_status = 'completed'`);
      return n >= cases ? n : undefined;
    });
    const allCompletedSeconds = Math.round((performance.now() - d0) / 100) / 10;
    const failed = await count(db, `SELECT count(*)::int AS n FROM cases WHERE run_status = 'failed'`);
    if (failed > 0) throw new Error(`${failed} runs failed`);
    const worker2 = rssMb(worker.pid);

    log('');
    log('                               count   total s    per s   p50 ms   p95 ms   max ms');
    const row = (label: string, f: LatencyFigures): string =>
      `  ${label.padEnd(27)} ${String(f.count).padStart(6)} ${f.seconds.toFixed(1).padStart(9)} ${f.perSecond.toFixed(1).padStart(8)} ${f.p50.toFixed(1).padStart(8)} ${f.p95.toFixed(1).padStart(8)} ${f.max.toFixed(1).padStart(8)}`;
    log(row('alerts posted (202)', alerts));
    log(row('decisions (200, approved)', decisions));
    log(`  all pending after first alert: ${allPendingSeconds} s; all runs completed after first decision: ${allCompletedSeconds} s`);
    log(
      `  worker RSS with ${cases} waiting: ${worker1.rss} MB (target ≤ ${TARGET_WORKER_RSS_MB} MB: ${worker1.rss <= TARGET_WORKER_RSS_MB ? 'PASS' : 'FAIL'}), peak ${worker1.peak} MB; after all completed ${worker2.rss} MB`,
    );
    return {
      measured: true,
      cases,
      concurrency,
      temporal: address,
      alerts,
      allPendingSeconds,
      workerRssMb: worker1.rss,
      workerPeakRssMb: worker1.peak,
      apiRssMb: api1.rss,
      targetWorkerRssMb: TARGET_WORKER_RSS_MB,
      workerRssPass: worker1.rss <= TARGET_WORKER_RSS_MB,
      decisions,
      allCompletedSeconds,
      workerRssAfterMb: worker2.rss,
    };
  } finally {
    agent.destroy();
    // The benchmark's case workflows would otherwise stay open on a shared server; end them while the
    // database still says which they are.
    if (db) {
      const open = await db
        .query<{ workflow_id: string }>(`SELECT workflow_id FROM cases WHERE workflow_id IS NOT NULL`)
        .catch(() => ({ rows: [] as Array<{ workflow_id: string }> }));
      if (open.rows.length > 0 && !temporalChild) {
        const connection = await Connection.connect({ address }).catch(() => undefined);
        if (connection) {
          const client = new Client({ connection });
          await inParallel(open.rows, 8, async (r) => {
            await client.workflow
              .getHandle(r.workflow_id)
              .terminate('approvals benchmark finished')
              .catch(() => undefined);
          });
          await connection.close();
        }
      }
      await db.end();
    }
    await Promise.all([stopChild(api), stopChild(worker)]);
    await stopChild(temporalChild, 5_000);
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
