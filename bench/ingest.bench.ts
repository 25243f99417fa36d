/**
 * `npm run bench:ingest`: how fast Vigil turns webhook alerts into started case workflows, against
 * Temporal's own `workflow.start` measured in the same run, on the same server, at the same concurrency.
 *
 *   (a) raw    — `client.workflow.start` of a trivial workflow (a worker runs it, as in Vigil's phases);
 *   (b) new    — one alert per HTTP request, each with a new fingerprint: a new case and a new case workflow.
 *                Measured to the 202 and to the workflow's start (its WorkflowExecutionStarted time);
 *   (c) storm  — one alert per request, distinct source ids over only a few fingerprints: the alerts join
 *                a few cases. Measured to the 202 and to the signal that hands each alert to its case workflow.
 *   (n) normalise-only — each source's normaliser over the alert fixtures on one core, in process, beside
 *                `JSON.parse` of the same payload bytes (bench/normalise-rate.ts). Measured first, before any
 *                child process starts; `--normalise-only` runs just this part (no database, no Temporal).
 *
 * Vigil runs as it does in production: `api` and `worker` as child processes (the benchmark's HTTP
 * client gets its own process), on a database of its own (`vigil_bench_ingest`, dropped and created
 * again each run) and, unless `--temporal host:port` is given, a Temporal dev server of its own started
 * with the same flags as the development one, so the shared server is neither loaded nor polluted.
 *
 * Options (also as BENCH_<NAME> environment variables): --concurrency 32 --raw 2000 --new 2000
 * --storm 10000 --fingerprints 20 --temporal host:port --keep (leave the database for inspection)
 * --normalise-only --normalise-ms 500 (time per normalise-only measurement; two per source).
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/config/project-paths.js';
import { hashKey, newKeyValue } from '../src/tenants/api-keys.service.js';
import { runStateQuery } from '../workflows/contracts/case-messages.js';
import { apiRequest, figures, migrate, nowMs, pool, recreateDatabase, startChild, startOwnTemporal, stopChild, waitFor, type Figures } from './bench-support.js';
import { measureNormaliseRates, normaliseRateLines } from './normalise-rate.js';

interface Options {
  concurrency: number;
  raw: number;
  fresh: number;
  storm: number;
  fingerprints: number;
  temporal: string | undefined;
  keep: boolean;
  normaliseOnly: boolean;
  normaliseMs: number;
}

function readOptions(argv: string[]): Options {
  const named = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (inline !== undefined) named.set(name, inline);
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) named.set(name, argv[++i]!);
    else named.set(name, 'true');
  }
  const get = (name: string): string | undefined => named.get(name) ?? process.env[`BENCH_${name.toUpperCase()}`];
  const int = (name: string, fallback: number): number => {
    const value = Number(get(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
    return value;
  };
  return {
    concurrency: int('concurrency', 32),
    raw: int('raw', 2000),
    fresh: int('new', 2000),
    storm: int('storm', 10_000),
    fingerprints: int('fingerprints', 20),
    temporal: get('temporal'),
    keep: get('keep') === 'true',
    normaliseOnly: get('normalise-only') === 'true',
    normaliseMs: int('normalise-ms', 500),
  };
}

const DATABASE = 'vigil_bench_ingest';
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
const VIGIL_QUEUE = 'vigil-bench-ingest';
const RAW_QUEUE = 'vigil-bench-raw';
/** The benchmark's playbook: one step that records the end of the run, so workers do as little as a playbook can. */
const PLAYBOOK = `id: bench
name: Ingest benchmark
version: "1.0.0"
priority: 100
steps:
  - id: done
    kind: end
    status: triaged
    summary: benchmark case
`;

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

function timestampMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!t) return NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
}

const TICKS_PER_SECOND = 100;

/** CPU time of one process (user + system) in seconds, from /proc; NaN when it is gone. */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** CPU time of each postgres process on the machine, by pid (the server is shared: other databases count too). */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const cpu = cpuOf(Number(entry));
    if (Number.isFinite(cpu)) out.set(Number(entry), cpu);
  }
  return out;
}

/** Marks CPU time of the benchmark's processes at phase boundaries, to show where each phase spent it. */
class CpuMeter {
  private readonly marks = new Map<string, { at: number; cpu: Record<string, number>; postgres: Map<number, number> }>();

  constructor(private readonly pids: Record<string, number | undefined>) {}

  mark(name: string): void {
    const usage = process.cpuUsage();
    const cpu: Record<string, number> = { bench: (usage.user + usage.system) / 1e6 };
    for (const [label, pid] of Object.entries(this.pids)) if (pid !== undefined) cpu[label] = cpuOf(pid);
    this.marks.set(name, { at: nowMs(), cpu, postgres: postgresCpu() });
  }

  table(phases: Array<[string, string]>): string {
    const labels = ['bench', ...Object.keys(this.pids).filter((l) => this.pids[l] !== undefined)];
    let text = `  ${'phase'.padEnd(6)} ${'wall s'.padStart(7)} ${[...labels, 'postgres'].map((l) => l.padStart(11)).join(' ')}\n`;
    for (const [from, to] of phases) {
      const a = this.marks.get(from);
      const b = this.marks.get(to);
      if (!a || !b) continue;
      const cells = labels.map((l) => ((b.cpu[l] ?? NaN) - (a.cpu[l] ?? NaN)).toFixed(1).padStart(11));
      // A backend that started during the phase counts from zero; one that ended during it is missed.
      let pgCpu = 0;
      for (const [pid, cpu] of b.postgres) pgCpu += cpu - (a.postgres.get(pid) ?? 0);
      text += `  ${from.padEnd(6)} ${((b.at - a.at) / 1000).toFixed(1).padStart(7)} ${cells.join(' ')} ${pgCpu.toFixed(1).padStart(11)}\n`;
    }
    return text;
  }
}

interface Sent {
  sentAt: number;
  alertId: string;
  caseId: string;
}

/** Posts one generic alert per request; returns what each 202 said and the 202 latencies. */
async function postAlerts(agent: http.Agent, port: number, key: string, bodies: string[], concurrency: number): Promise<{ sent: Sent[]; latencies: number[]; seconds: number }> {
  const sent: Sent[] = new Array<Sent>(bodies.length);
  const latencies: number[] = [];
  const t0 = nowMs();
  await pool(bodies, concurrency, async (body, i) => {
    const sentAt = nowMs();
    const reply = await apiRequest(agent, port, 'POST', '/api/v1/alerts/generic', key, body);
    latencies.push(nowMs() - sentAt);
    if (reply.status !== 202) throw new Error(`alert ${i}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
    const parsed = JSON.parse(reply.body) as { alerts: Array<{ id: string; caseId: string }> };
    sent[i] = { sentAt, alertId: parsed.alerts[0]!.id, caseId: parsed.alerts[0]!.caseId };
  });
  return { sent, latencies, seconds: (nowMs() - t0) / 1000 };
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  // (n) first, on a machine nothing of the benchmark loads yet.
  log(`(n) normalise-only rates, ${options.normaliseMs} ms per measurement`);
  const normalise = measureNormaliseRates(options.normaliseMs);
  if (options.normaliseOnly) {
    process.stdout.write(`\nVigil ingest benchmark, normalise-only — node ${process.version}\n${normaliseRateLines(normalise).join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ cpus: os.cpus().length, normalise })}\n`);
    return;
  }
  const runId = randomBytes(4).toString('hex');
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-ingest-'));
  const children: ChildProcess[] = [];
  let temporalChild: ChildProcess | undefined;
  let connection: Connection | undefined;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  let db: pg.Pool | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  try {
    // Temporal: the caller's server, or one of our own with the development flags (poll limits lifted).
    let address = options.temporal;
    if (!address) {
      const server = await startOwnTemporal(work, 7298);
      temporalChild = server.child;
      address = server.address;
      log(`Temporal dev server of the benchmark at ${address}`);
    }

    await admin.connect();
    await recreateDatabase(admin, DATABASE);
    const playbooksDir = path.join(work, 'playbooks');
    mkdirSync(playbooksDir);
    writeFileSync(path.join(playbooksDir, 'bench.yaml'), PLAYBOOK);

    const main = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
    const apiPort = 20_000 + Math.floor(Math.random() * 20_000);
    const env: Record<string, string> = {
      // development: production refuses to start without its signing and encryption keys, which the benchmark does not use.
      NODE_ENV: 'development',
      DATABASE_URL,
      TEMPORAL_ADDRESS: address,
      VIGIL_TASK_QUEUE: VIGIL_QUEUE,
      VIGIL_PLAYBOOKS_DIR: playbooksDir,
      VIGIL_API_PORT: String(apiPort),
      VIGIL_LOG_LEVEL: 'warn',
      VIGIL_CASE_IDLE_TIMEOUT: '10m',
    };
    // Migrate first, so the API and the worker do not race for it.
    await migrate(main, env, log);
    children.push(startChild('vigil api', [main, 'api'], env, log));
    children.push(startChild('vigil worker', [main, 'worker'], env, log));
    children.push(startChild('raw worker', [path.join(PROJECT_ROOT, 'dist', 'bench', 'raw-worker.js'), address, RAW_QUEUE], {}, log));
    db = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    await waitFor('the API', 60_000, async () => {
      const reply = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: apiPort, path: '/healthz' }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
      return reply === 200 ? true : undefined;
    });

    const tenant = async (slug: string): Promise<{ id: string; key: string }> => {
      const { rows } = await db!.query<{ id: string }>(`INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id`, [slug]);
      const key = newKeyValue();
      await db!.query(`INSERT INTO api_keys (tenant_id, name, role, key_hash, key_prefix) VALUES ($1, 'bench', 'ingest', $2, $3)`, [rows[0]!.id, hashKey(key), key.slice(0, 8)]);
      return { id: rows[0]!.id, key };
    };
    const warm = await tenant(`bench-warm-${runId}`);
    const fresh = await tenant(`bench-new-${runId}`);
    const storm = await tenant(`bench-storm-${runId}`);

    connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const C = options.concurrency;

    const alertBody = (kind: string, i: number, host: string, rule: string): string =>
      JSON.stringify({
        title: `Benchmark ${kind} alert`,
        severity: 'high',
        sourceId: `${kind}-${runId}-${i}`,
        host,
        rule,
        observables: [{ type: 'ip', value: `198.51.${Math.floor(i / 250) % 250}.${(i % 250) + 1}` }],
      });

    // Warm-up: JIT, connection pools, the workflow cache; also proves the worker runs Vigil's workflows.
    log('warming up');
    const warmAlerts = await postAlerts(
      agent,
      apiPort,
      warm.key,
      Array.from({ length: 200 }, (_, i) => alertBody('warm', i, `warm-host-${i % 50}`, 'bench_warm')),
      C,
    );
    await pool(
      Array.from({ length: 200 }, (_, i) => `bench-rawwarm-${runId}-${i}`),
      C,
      async (id) => {
        await client.workflow.start('trivialWorkflow', { taskQueue: RAW_QUEUE, workflowId: id });
      },
    );
    const warmCase = warmAlerts.sent[0]!.caseId;
    await waitFor('the warm-up case run', 60_000, async () => {
      const r = await db!.query<{ run_status: string }>(`SELECT run_status FROM cases WHERE id = $1`, [warmCase]);
      return r.rows[0]?.run_status === 'completed' ? true : undefined;
    });
    await waitFor('the warm-up outbox to drain', 60_000, async () => {
      const r = await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`);
      return r.rows[0]!.n === 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 2000));

    // (a) raw workflow.start; measured before (b) and again after (c), since other load on the machine drifts.
    const runRaw = async (round: string): Promise<Figures> => {
      log(`(a${round}) ${options.raw} × workflow.start of a trivial workflow, concurrency ${C}`);
      const rawIds = Array.from({ length: options.raw }, (_, i) => `bench-raw${round}-${runId}-${i}`);
      const rawLatencies: number[] = [];
      const rawT0 = nowMs();
      await pool(rawIds, C, async (id) => {
        const s = nowMs();
        await client.workflow.start('trivialWorkflow', { taskQueue: RAW_QUEUE, workflowId: id });
        rawLatencies.push(nowMs() - s);
      });
      const f = figures(rawLatencies, (nowMs() - rawT0) / 1000);
      await pool(rawIds, C, async (id) => {
        await client.workflow.getHandle(id).result();
      });
      await new Promise((r) => setTimeout(r, 2000));
      return f;
    };
    const cpu = new CpuMeter({ api: children[0]!.pid, worker: children[1]!.pid, 'raw worker': children[2]!.pid, temporal: temporalChild?.pid });
    cpu.mark('a1');
    const raw1 = await runRaw('1');
    cpu.mark('a1 end');

    // (b) new alerts, each a new case and a new case workflow
    cpu.mark('b');
    log(`(b) ${options.fresh} new alerts (new fingerprint each) over HTTP, concurrency ${C}`);
    const freshPosted = await postAlerts(
      agent,
      apiPort,
      fresh.key,
      Array.from({ length: options.fresh }, (_, i) => alertBody('new', i, `new-host-${i}`, 'bench_new')),
      C,
    );
    const freshT0 = Math.min(...freshPosted.sent.map((s) => s.sentAt));
    const starts = await waitFor(
      'every new case workflow to start',
      300_000,
      async () => {
        const found = new Map<string, number>();
        for await (const wf of client.workflow.list({ query: `VigilTenant = '${fresh.id}'` })) found.set(wf.workflowId, wf.startTime.getTime());
        return found.size >= options.fresh ? found : undefined;
      },
      500,
    );
    const startLatencies = freshPosted.sent.map((s) => {
      const started = starts.get(`case-${s.caseId}`);
      if (started === undefined) throw new Error(`case ${s.caseId} has no workflow`);
      return started - s.sentAt;
    });
    const lastStart = Math.max(...starts.values());
    const fresh202 = figures(freshPosted.latencies, freshPosted.seconds);
    const freshStarted = figures(startLatencies, (lastStart - freshT0) / 1000);
    await waitFor('the new-alert outbox to drain', 120_000, async () => {
      const r = await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`);
      return r.rows[0]!.n === 0 ? true : undefined;
    });
    await new Promise((r) => setTimeout(r, 2000));

    cpu.mark('b end');
    // (c) storm: many alerts, few fingerprints
    cpu.mark('c');
    log(`(c) storm of ${options.storm} alerts over ${options.fingerprints} fingerprints over HTTP, concurrency ${C}`);
    const stormPosted = await postAlerts(
      agent,
      apiPort,
      storm.key,
      Array.from({ length: options.storm }, (_, i) => alertBody('storm', i, `storm-host-${i % options.fingerprints}`, 'bench_storm')),
      C,
    );
    const stormT0 = Math.min(...stormPosted.sent.map((s) => s.sentAt));
    const storm202 = figures(stormPosted.latencies, stormPosted.seconds);
    const stormCases = [...new Set(stormPosted.sent.map((s) => s.caseId))];
    await waitFor(
      'every storm alert to reach its case workflow',
      300_000,
      async () => {
        const r = await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE tenant_id = $1`, [storm.id]);
        if (r.rows[0]!.n !== 0) return undefined;
        let seen = 0;
        for (const caseId of stormCases) seen += (await client.workflow.getHandle(`case-${caseId}`).query(runStateQuery)).alertsSeen;
        return seen >= options.storm ? true : undefined;
      },
      200,
    );
    cpu.mark('c end');
    // When did each alert reach its workflow? The signal events carry the alert ids.
    const signalledAt = new Map<string, number>();
    let signalledTwice = 0;
    for (const caseId of stormCases) {
      const history = await client.workflow.getHandle(`case-${caseId}`).fetchHistory();
      for (const event of history.events ?? []) {
        const attrs = event.workflowExecutionSignaledEventAttributes;
        if (!attrs || attrs.signalName !== 'alertsAdded') continue;
        const at = timestampMs(event.eventTime as { seconds?: unknown; nanos?: number | null } | null);
        const messages = defaultPayloadConverter.fromPayload<Array<{ alertId: string }>>(attrs.input!.payloads![0] as Payload);
        for (const m of messages) {
          if (signalledAt.has(m.alertId)) signalledTwice += 1;
          else signalledAt.set(m.alertId, at);
        }
      }
    }
    const deliveredLatencies = stormPosted.sent.map((s) => {
      const at = signalledAt.get(s.alertId);
      if (at === undefined) throw new Error(`storm alert ${s.alertId} never reached its workflow`);
      return at - s.sentAt;
    });
    const stormDelivered = figures(deliveredLatencies, (Math.max(...signalledAt.values()) - stormT0) / 1000);
    let alertsSeen = 0;
    for (const caseId of stormCases) alertsSeen += (await client.workflow.getHandle(`case-${caseId}`).query(runStateQuery)).alertsSeen;
    const stored = await db.query<{ cases: number; alerts: number; outbox: number }>(
      `SELECT (SELECT count(*)::int FROM cases WHERE tenant_id = $1) AS cases, (SELECT count(*)::int FROM alerts WHERE tenant_id = $1) AS alerts,
              (SELECT count(*)::int FROM outbox WHERE tenant_id = $1) AS outbox`,
      [storm.id],
    );
    const counts = stored.rows[0]!;

    await new Promise((r) => setTimeout(r, 2000));
    cpu.mark('a2');
    const raw2 = await runRaw('2');
    cpu.mark('a2 end');
    const raw: Figures = {
      count: raw1.count + raw2.count,
      seconds: Math.round((raw1.seconds + raw2.seconds) * 10) / 10,
      rate: Math.round(((raw1.rate + raw2.rate) / 2) * 10) / 10,
      p50: Math.round(((raw1.p50 + raw2.p50) / 2) * 10) / 10,
      p95: Math.round(((raw1.p95 + raw2.p95) / 2) * 10) / 10,
    };

    const ratio = (x: number): number => Math.round((x / raw.rate) * 100) / 100;
    const line = (name: string, f: Figures): string =>
      `${name.padEnd(44)} ${String(f.count).padStart(6)} in ${f.seconds.toFixed(1).padStart(6)} s = ${f.rate.toFixed(1).padStart(7)}/s   p50 ${f.p50.toFixed(1).padStart(7)} ms   p95 ${f.p95.toFixed(1).padStart(7)} ms`;
    const out = process.stdout;
    out.write(`\nVigil ingest benchmark — ${os.cpus().length} CPUs, concurrency ${C}, Temporal ${address}, node ${process.version}\n`);
    out.write(`${line('(a) raw workflow.start, before (b)', raw1)}\n`);
    out.write(`${line('(a) raw workflow.start, after (c)', raw2)}\n`);
    out.write(`${line('(a) raw workflow.start, mean of both', raw)}\n`);
    out.write(`${line('(b) new alerts → 202', fresh202)}\n`);
    out.write(`${line('(b) new alerts → case workflow started', freshStarted)}\n`);
    out.write(`${line('(c) storm → 202', storm202)}\n`);
    out.write(`${line('(c) storm → alert signalled to its workflow', stormDelivered)}\n`);
    out.write(`${normaliseRateLines(normalise).join('\n')}\n`);
    out.write(`ratios: b/a = ${ratio(freshStarted.rate)} (to started; target ≥ 0.8)   b202/a = ${ratio(fresh202.rate)}\n`);
    out.write(`        c/a = ${ratio(storm202.rate)} (to 202; target ≥ 1.5)   c-signalled/a = ${ratio(stormDelivered.rate)}\n`);
    out.write(
      `storm: ${counts.cases} cases (expected ${options.fingerprints}), ${counts.alerts} alerts stored (expected ${options.storm}), outbox ${counts.outbox}, ` +
        `alertsSeen by the workflows ${alertsSeen}, alerts signalled ${signalledAt.size} (${signalledTwice} re-sent, ignored by the workflow)\n`,
    );
    out.write(
      `CPU seconds per phase (${os.cpus().length} CPUs; postgres counts every database on the server):\n${cpu.table([
        ['a1', 'a1 end'],
        ['b', 'b end'],
        ['c', 'c end'],
        ['a2', 'a2 end'],
      ])}`,
    );
    const problems: string[] = [];
    if (counts.cases !== options.fingerprints) problems.push(`storm made ${counts.cases} cases, expected ${options.fingerprints}`);
    if (counts.alerts !== options.storm) problems.push(`storm stored ${counts.alerts} alerts, expected ${options.storm}`);
    if (counts.outbox !== 0) problems.push(`storm left ${counts.outbox} outbox rows`);
    if (alertsSeen !== options.storm) problems.push(`the storm's workflows saw ${alertsSeen} alerts, expected ${options.storm}`);
    if (starts.size !== options.fresh) problems.push(`${starts.size} new-case workflows started, expected ${options.fresh}`);
    out.write(problems.length === 0 ? 'none lost: every accepted alert is stored once and reached its case workflow once\n' : `PROBLEMS: ${problems.join('; ')}\n`);
    out.write(
      `${JSON.stringify({
        cpus: os.cpus().length,
        concurrency: C,
        raw,
        rawBefore: raw1,
        rawAfter: raw2,
        new202: fresh202,
        newStarted: freshStarted,
        storm202,
        stormSignalled: stormDelivered,
        ratios: { bStartedOverA: ratio(freshStarted.rate), b202OverA: ratio(fresh202.rate), c202OverA: ratio(storm202.rate), cSignalledOverA: ratio(stormDelivered.rate) },
        targets: { bOverA: 0.8, cOverA: 1.5, met: ratio(freshStarted.rate) >= 0.8 && ratio(storm202.rate) >= 1.5 },
        storm: { cases: counts.cases, alerts: counts.alerts, outbox: counts.outbox, alertsSeen, signalled: signalledAt.size },
        lost: problems.length > 0,
        normalise,
      })}\n`,
    );
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    agent.destroy();
    await connection?.close().catch(() => undefined);
    for (const child of children.reverse()) await stopChild(child);
    await db?.end().catch(() => undefined);
    if (!options.keep) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    await stopChild(temporalChild, 5_000);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:ingest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
