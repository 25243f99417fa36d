/**
 * `npm run bench:engine`: what Vigil's playbook engine costs, against plain Temporal measured in the
 * same run on the same server.
 *
 *   (a) ratio     — a hand-written workflow running 20 enrichment lookups in sequence (local activities
 *                   calling Vigil's action runner: same connection, rate limiter and vendor call, nothing
 *                   else) against a 20-step Vigil playbook doing the same lookups (interpreter, template
 *                   rendering, one timeline line per step and the run's end in PostgreSQL). Both measured
 *                   server-side, from WorkflowExecutionStarted to the end of the run, interleaved run by
 *                   run; the ratio is of the medians. Target ≤ 1.15.
 *                   Why a real lookup and not a no-op: Vigil's catalogue has no no-op action, and comparing a
 *                   step that writes its timeline line against an activity that does nothing would measure a
 *                   PostgreSQL insert, not the engine. The floor (20 no-op local activities) is printed too.
 *   (b) latency   — alert POST to the containment call recorded by the vendor simulator, for an automated
 *                   4-step playbook (enrich → condition → panos.block_ip → end). p50/p95, target p95 ≤ 300 ms.
 *   (c) foreach   — one alert with 1,000 IP observables, a foreach with concurrency 20 looking each up:
 *                   time to the end of the run and the parent workflow's history length.
 *   (d) the Vigil worker's RSS at the end.
 *
 * Vigil runs with the API and the simulator in this process and the worker as a child process (its RSS
 * is the worker's alone), on the Temporal server at TEMPORAL_ADDRESS (the development one), with a
 * database of its own (`vigil_bench_engine`, created afresh each run and dropped at the end). The bench
 * tenant gets its own connections with the rate limits lifted and the enrichment cache off, so every
 * step is a real vendor call on both sides.
 *
 * Options (also BENCH_<NAME>): --runs 50 --latency 40 --items 1000 --keep (leave the database).
 * Single runs vary by ±15% on a 2-core machine; 50 interleaved runs keep the ratio of medians within
 * a few percent from one invocation to the next.
 * Prints a table, then one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import pg from 'pg';
import { simulatorConnections } from '../integrations/simulator/connections.js';
import { startSimulator } from '../integrations/simulator/simulator.js';
import { loadConfig } from '../src/config/config.schema.js';
import { PROJECT_ROOT } from '../src/config/project-paths.js';
import { createApi } from '../src/main.js';
import { hashKey, newKeyValue } from '../src/tenants/api-keys.service.js';
import { OwnTemporalServer } from '../test/support/temporal-dev-server.js';
import type { EngineBaselineInput, engineBaselineWorkflow } from './engine-baseline.workflow.js';
import { canConnect, stopChild } from './bench-support.js';

const DATABASE = 'vigil_bench_engine';
/** gRPC status NOT_FOUND. */
const GRPC_NOT_FOUND = 5;
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const raw = i !== -1 ? process.argv[i + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  const value = Number(raw ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}
const STEPS = option('steps', 20);
const RUNS = option('runs', 50);
const LATENCY_RUNS = option('latency', 40);
const ITEMS = option('items', 1000);
const KEEP = process.argv.includes('--keep') || process.env['BENCH_KEEP'] === 'true';

const log = (message: string): void => {
  process.stderr.write(`[bench:engine] ${message}\n`);
};

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

function playbooks(): Record<string, string> {
  const lookups = Array.from(
    { length: STEPS },
    (_, i) => `  - { id: lookup_${i + 1}, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" } }`,
  ).join('\n');
  return {
    'bench-steps.yaml': `id: bench-steps\nname: Twenty lookups\nversion: "1"\npriority: 100\ntriggers: [{ techniques: [T1020] }]\nsteps:\n${lookups}\n  - { id: done, kind: end }\n`,
    'bench-contain.yaml': `id: bench-contain
name: Automated containment
version: "1"
priority: 100
triggers: [{ techniques: [T1021] }]
steps:
  - id: enrich
    kind: action
    action: abuseipdb.check_ip
    with: { ip: "{{lookup observables.ip 0}}" }
    output: rep
  - id: decide
    kind: condition
    if: "vars.rep.abuseConfidenceScore >= 0"
    then: block
    else: done
  - id: block
    kind: action
    action: panos.block_ip
    with: { ip: "{{lookup observables.ip 1}}" }
  - id: done
    kind: end
    status: contained
`,
    'bench-foreach.yaml': `id: bench-foreach
name: A thousand lookups
version: "1"
priority: 100
triggers: [{ techniques: [T1022] }]
steps:
  - id: each_ip
    kind: foreach
    items: observables.ip
    as: ip
    concurrency: 20
    steps:
      - { id: check, kind: action, action: abuseipdb.check_ip, with: { ip: "{{ip}}" } }
  - { id: done, kind: end }
`,
    // Without lifted limits (no connections API): every item looks up one address, answered by the enrichment cache.
    'bench-foreach-cached.yaml': `id: bench-foreach-cached
name: A thousand cached lookups
version: "1"
priority: 100
triggers: [{ techniques: [T1023] }]
steps:
  - id: each_ip
    kind: foreach
    items: observables.ip
    as: ip
    concurrency: 20
    steps:
      - { id: check, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" } }
  - { id: done, kind: end }
`,
  };
}

async function resetDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
}

async function dropDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

function startChild(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (code !== 0 && code !== null) log(`${name} exited with code ${code}`);
    else if (signal && signal !== 'SIGTERM') log(`${name} ended by ${signal}`);
  });
  return child;
}

function waitForLine(child: ChildProcess, line: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${line}' within ${timeoutMs} ms`)), timeoutMs);
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error('the process ended before it was ready')));
  });
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? round(Number(match[1]) / 1024) : NaN;
}

async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 10): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function eventMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : NaN;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  await resetDatabase();
  const simulator = await startSimulator({ host: '127.0.0.1', port: 0, smtpPort: 0 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-engine-'));
  for (const [name, text] of Object.entries(playbooks())) writeFileSync(path.join(dir, name), text);
  const suffix = randomBytes(4).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL,
    VIGIL_TASK_QUEUE: `vigil-bench-engine-${suffix}`,
    VIGIL_SIMULATOR_URL: simulator.url,
    VIGIL_SIMULATOR_CONNECTIONS: 'true',
    VIGIL_SECRETS_KEYS: process.env['VIGIL_SECRETS_KEYS'] ?? `bench:${randomBytes(32).toString('base64')}`,
    VIGIL_PLAYBOOKS_DIR: dir,
    VIGIL_CASE_IDLE_TIMEOUT: '2s',
    VIGIL_LOG_LEVEL: 'error',
  };
  // The development server when one answers; otherwise a dev server of the bench's own, on another port.
  let own: OwnTemporalServer | undefined;
  const [host, port] = loadConfig({ ...process.env, ...env }).temporal.address.split(':');
  if (!(await canConnect(host!, Number(port)))) {
    own = await OwnTemporalServer.start({ firstPort: 7295, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') });
    env['TEMPORAL_ADDRESS'] = own.address;
    log(`no Temporal server at ${host}:${port}; started one at ${own.address}`);
  }
  const config = loadConfig({ ...process.env, ...env, VIGIL_API_PORT: '0' });
  const api = await createApi(config);
  await api.listen(0, '127.0.0.1');
  const apiUrl = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
  const worker = startChild('vigil worker', [path.join(PROJECT_ROOT, 'dist', 'src', 'main.js'), 'worker'], env);
  const baselineQueue = `vigil-bench-baseline-${suffix}`;
  const baseline = startChild('baseline worker', [path.join(PROJECT_ROOT, 'dist', 'bench', 'engine-baseline-worker.js'), baselineQueue], env);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const db = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });

  try {
    await waitForLine(baseline, 'ready', 60_000);
    // A tenant with an admin key, and connections without rate limits or cache so every step calls the vendor.
    const tenant = (await db.query<{ id: string }>(`INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id`, [`bench-${suffix}`])).rows[0]!.id;
    const key = newKeyValue();
    await db.query(`INSERT INTO api_keys (tenant_id, name, role, key_hash, key_prefix) VALUES ($1, 'bench', 'admin', $2, $3)`, [tenant, hashKey(key), key.slice(0, 8)]);
    const sim = simulatorConnections(simulator.url);
    const simulatorCalls = async (vendor: string): Promise<Array<{ time: string; query: Record<string, unknown>; body: unknown }>> => {
      const res = await fetch(`${simulator.url}/_simulator/calls?vendor=${vendor}`);
      return (await res.json()) as Array<{ time: string; query: Record<string, unknown>; body: unknown }>;
    };
    const post = async (urlPath: string, body: unknown): Promise<{ status: number; body: unknown }> => {
      const res = await fetch(`${apiUrl}${urlPath}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    let lifted = true;
    for (const vendor of ['abuseipdb', 'panos']) {
      const c = sim[vendor]!;
      const res = await post('/api/v1/connections', {
        vendor,
        baseUrl: c.baseUrl,
        secrets: { ...c.secrets },
        settings: { ...c.settings, rateLimitPerMinute: 1_000_000, rateLimitBurst: 10_000, maxConcurrent: 200, cacheTtlSeconds: 0 },
      });
      if (res.status !== 201) lifted = false;
    }
    // Without the connections API the default limits hold (600 calls/min): then every lookup asks for one
    // address, which the enrichment cache answers after the first call, on both sides alike.
    const mode = lifted ? 'vendor call per lookup (limits lifted, cache off)' : 'cached lookups (no connections API to lift the rate limits)';
    if (!lifted) log('POST /api/v1/connections is not available: measuring with cached lookups');
    const fixedIp = '45.69.0.1';

    let ipSeq = 0;
    const nextIp = (): string => {
      ipSeq += 1;
      return `45.${70 + Math.floor(ipSeq / 62500)}.${Math.floor(ipSeq / 250) % 250}.${(ipSeq % 250) + 1}`;
    };
    const ingest = async (technique: string, ips: string[]): Promise<string> => {
      const res = await post('/api/v1/alerts/generic', {
        title: `bench ${technique} ${ips[0]} ${randomBytes(4).toString('hex')}`,
        severity: 'high',
        techniques: [technique],
        observables: ips.map((value) => ({ type: 'ip', value })),
      });
      if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
      return (res.body as { alerts: Array<{ caseId: string }> }).alerts[0]!.caseId;
    };
    const runDone = (caseId: string, timeoutMs: number): Promise<string> =>
      waitFor(`case ${caseId} to finish its run`, timeoutMs, async () => {
        const rows = (await db.query<{ run_status: string }>(`SELECT run_status FROM cases WHERE id = $1`, [caseId])).rows;
        const status = rows[0]?.run_status;
        return status === 'completed' || status === 'failed' ? status : undefined;
      });
    /**
     * Server-side: WorkflowExecutionStarted → the idle timer the case workflow starts right after its run.
     * Waits with the server's history long-poll, as `execute` does for the baseline, so nothing on this
     * side polls PostgreSQL or Temporal while the run is measured (on 2 cores that would slow it).
     */
    const vigilRunMs = async (caseId: string): Promise<{ ms: number; events: number }> => {
      const events: Array<{ eventTime?: { seconds?: unknown; nanos?: number | null } | null; timerStartedEventAttributes?: unknown }> = [];
      let nextPageToken: Uint8Array | undefined;
      const deadline = Date.now() + 30_000;
      while (!events.some((e) => e.timerStartedEventAttributes)) {
        if (Date.now() > deadline) throw new Error(`no idle timer in the history of case ${caseId} within 30 s`);
        let page;
        try {
          page = await client.workflowService.getWorkflowExecutionHistory({
            namespace: config.temporal.namespace,
            execution: { workflowId: `case-${caseId}` },
            waitNewEvent: true,
            ...(nextPageToken?.length ? { nextPageToken } : {}),
          });
        } catch (error) {
          // The relay has not started the workflow yet (milliseconds after the 202).
          if (!isGrpcServiceError(error) || error.code !== GRPC_NOT_FOUND) throw error;
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        events.push(...((page.history?.events ?? []) as typeof events));
        nextPageToken = page.nextPageToken ?? undefined;
      }
      const started = eventMs(events[0]?.eventTime);
      const timerAt = eventMs([...events].reverse().find((e) => e.timerStartedEventAttributes)?.eventTime);
      return { ms: timerAt - started, events: events.filter((e) => eventMs(e.eventTime) <= timerAt).length };
    };
    const lookupIp = (): string => (lifted ? nextIp() : fixedIp);
    const baselineRunMs = async (kind: EngineBaselineInput['mode']): Promise<number> => {
      const workflowId = `bench-baseline-${kind}-${randomBytes(6).toString('hex')}`;
      await client.workflow.execute<typeof engineBaselineWorkflow>('engineBaselineWorkflow', {
        workflowId,
        taskQueue: baselineQueue,
        args: [{ tenantId: tenant, ip: lookupIp(), steps: STEPS, mode: kind }],
      });
      const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      return eventMs(events[events.length - 1]?.eventTime) - eventMs(events[0]?.eventTime);
    };

    log('warming up (the worker bundles its workflows first)');
    for (let i = 0; i < 3; i += 1) {
      const caseId = await ingest('T1020', [lookupIp()]);
      const status = await runDone(caseId, 90_000);
      if (status !== 'completed') throw new Error(`the warm-up run ${status}; see the case timeline of ${caseId}`);
      await baselineRunMs('lookup');
      await baselineRunMs('noop');
    }

    log(`(a) ${RUNS} runs each of the 20-step playbook and the hand-written workflow, interleaved`);
    const hand: number[] = [];
    const floor: number[] = [];
    const vigil: number[] = [];
    let vigilEvents = 0;
    const vigilRun = async (): Promise<void> => {
      const caseId = await ingest('T1020', [lookupIp()]);
      const run = await vigilRunMs(caseId);
      // The run's end is written before the idle timer starts: one read, after the measurement.
      const status = await runDone(caseId, 30_000);
      if (status !== 'completed') throw new Error(`a measured run ${status}; see the case timeline of ${caseId}`);
      vigil.push(run.ms);
      vigilEvents = run.events;
    };
    for (let i = 0; i < RUNS; i += 1) {
      // Alternate which side goes first, so neither always follows the other.
      if (i % 2 === 1) await vigilRun();
      hand.push(await baselineRunMs('lookup'));
      floor.push(await baselineRunMs('noop'));
      if (i % 2 === 0) await vigilRun();
    }
    const ratio = percentile(vigil, 50) / percentile(hand, 50);

    log(`(b) ${LATENCY_RUNS} alerts through the automated containment playbook`);
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_RUNS; i += 1) {
      const ip = nextIp();
      const sent = Date.now();
      const caseId = await ingest('T1021', [lookupIp(), ip]);
      // The latency is taken from the simulator's own record of the call, so how often this polls does not change it.
      const call = await waitFor(`the containment call for ${ip}`, 30_000, async () => (await simulatorCalls('panos')).find((c) => JSON.stringify(c).includes(ip)), 20);
      latencies.push(Date.parse(call.time) - sent);
      await runDone(caseId, 30_000);
    }

    log(`(c) foreach over ${ITEMS} observables, concurrency 20`);
    const ips = Array.from({ length: ITEMS }, () => nextIp());
    const foreachStart = Date.now();
    const bigCase = await ingest(lifted ? 'T1022' : 'T1023', ips);
    const foreachStatus = await runDone(bigCase, 170_000);
    const foreachMs = Date.now() - foreachStart;
    const bigHistory = (await client.workflow.getHandle(`case-${bigCase}`).fetchHistory()).events?.length ?? 0;
    const wanted = new Set(ips);
    const lookups = (await simulatorCalls('abuseipdb')).filter((c) => wanted.has(String(c.query['ipAddress'] ?? ''))).length;

    const workerRss = rssMb(worker.pid);
    const results = {
      mode,
      ratio: {
        steps: STEPS,
        runs: RUNS,
        vigilP50Ms: round(percentile(vigil, 50)),
        vigilP95Ms: round(percentile(vigil, 95)),
        handWrittenP50Ms: round(percentile(hand, 50)),
        handWrittenP95Ms: round(percentile(hand, 95)),
        noopFloorP50Ms: round(percentile(floor, 50)),
        ratio: round(ratio, 3),
        target: 1.15,
        vigilHistoryEvents: vigilEvents,
      },
      containment: {
        alerts: LATENCY_RUNS,
        p50Ms: round(percentile(latencies, 50)),
        p95Ms: round(percentile(latencies, 95)),
        maxMs: round(Math.max(...latencies)),
        targetP95Ms: 300,
      },
      foreach: {
        items: ITEMS,
        concurrency: 20,
        status: foreachStatus,
        ms: foreachMs,
        itemsPerSecond: round(ITEMS / (foreachMs / 1000)),
        parentHistoryEvents: bigHistory,
        vendorCalls: lookups,
      },
      workerRssMb: workerRss,
      totalSeconds: round((Date.now() - t0) / 1000),
    };

    const row = (label: string, vigilValue: string, baselineValue: string, note = ''): string =>
      `${label.padEnd(44)}${vigilValue.padStart(14)}${baselineValue.padStart(16)}  ${note}`;
    const out = [
      '',
      `lookups: ${mode}`,
      row('', 'Vigil', 'baseline'),
      row(
        `${STEPS} lookups in sequence, p50 (ms)`,
        String(results.ratio.vigilP50Ms),
        String(results.ratio.handWrittenP50Ms),
        `hand-written workflow; ratio ${results.ratio.ratio} (target ≤ 1.15)`,
      ),
      row(`${STEPS} lookups in sequence, p95 (ms)`, String(results.ratio.vigilP95Ms), String(results.ratio.handWrittenP95Ms)),
      row(`${STEPS} no-op local activities, p50 (ms)`, '', String(results.ratio.noopFloorP50Ms), "Temporal's floor"),
      row('alert → containment call, p50 (ms)', String(results.containment.p50Ms), ''),
      row('alert → containment call, p95 (ms)', String(results.containment.p95Ms), '', 'target ≤ 300'),
      row(
        `foreach ${ITEMS} items, concurrency 20 (ms)`,
        String(results.foreach.ms),
        '',
        `${results.foreach.itemsPerSecond} items/s, ${results.foreach.vendorCalls} vendor calls, ${foreachStatus}`,
      ),
      row('foreach parent history (events)', String(results.foreach.parentHistoryEvents), ''),
      row('worker RSS at the end (MB)', String(results.workerRssMb), ''),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } finally {
    await Promise.all([stopChild(worker, 15_000), stopChild(baseline, 15_000)]);
    await db.end();
    await connection.close();
    await api.close();
    await simulator.close();
    await own?.stop();
    if (!KEEP) await dropDatabase().catch((error: unknown) => log(`could not drop ${DATABASE}: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:engine failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
