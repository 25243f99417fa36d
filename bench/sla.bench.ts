/**
 * `npm run bench:sla`: what Vigil's durable SLA clocks cost, measured in one run.
 *
 *   (a) baseline — new alerts (a new case each) into a tenant without SLA policies, over HTTP, to the 202;
 *                  measured before and after the clock phase, since other load on the machine drifts;
 *   (s) clocks   — `--cases` open cases (default 1000) in a tenant whose policy gives each three running
 *                  clocks (acknowledge, contain, resolve), with due instants spread over `--spread` seconds
 *                  starting `--lead` seconds after the cases are made (alert detection times are spread, and
 *                  the policy counts from detection). Nobody acknowledges, so every clock breaches:
 *                  - timer-fire latency: from each clock's stored due instant to when its breach was recorded
 *                    (the `sla_clock.breached` audit line, written with the breach at clock_timestamp()); target p95 ≤ 1 s;
 *                  - the worker's RSS (from /proc, sampled every second); target ≤ 1 GB;
 *   (b) ingest   — while those clocks are open and before the first is due, the same number of new alerts as
 *                  (a) into the SLA tenant (each case gets its clocks too); target rate b/a ≥ 0.9.
 *
 * Vigil runs as in production (`api` and `worker` child processes) on a database of its own
 * (`vigil_bench_sla`, dropped and created again) and a Temporal dev server of its own unless
 * `--temporal host:port`. It needs the SLA clock workflow: without it the bench stops and says so.
 *
 * Options (also BENCH_<NAME>): --cases 1000 --alerts 500 --concurrency 16 --lead 90 --spread 180
 * --temporal host:port --keep. A quick check: `npm run bench:sla -- --cases 50 --alerts 50 --lead 20 --spread 30`.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../src/config/project-paths.js';
import { hashKey, newKeyValue } from '../src/tenants/api-keys.service.js';
import {
  apiRequest,
  figures,
  migrate,
  nowMs,
  percentile,
  pool,
  recreateDatabase,
  round1,
  sleep,
  startChild,
  startOwnTemporal,
  stopChild,
  waitFor,
  type Figures,
} from './bench-support.js';

interface Options {
  cases: number;
  alerts: number;
  concurrency: number;
  lead: number;
  spread: number;
  temporal: string | undefined;
  keep: boolean;
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
    cases: int('cases', 1000),
    alerts: int('alerts', 500),
    concurrency: int('concurrency', 16),
    lead: int('lead', 90),
    spread: int('spread', 180),
    temporal: get('temporal'),
    keep: get('keep') === 'true',
  };
}

const DATABASE = 'vigil_bench_sla';
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
const QUEUE = 'vigil-bench-sla';
/** A playbook that changes nothing on the case: no status, so nothing acknowledges or stops a clock. */
const PLAYBOOK = `id: bench-sla
name: SLA benchmark
version: "1.0.0"
priority: 100
steps:
  - id: done
    kind: end
`;
/** What the clock workflow is exported as from the workflow bundle (branch sla-clocks). */
const CLOCK_WORKFLOW = /\bsla\w*clock\w*workflow\b/i;

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

class NotReady extends Error {}

function latencyFigures(ms: number[]): { count: number; p50: number; p95: number; p99: number; max: number } {
  const s = [...ms].sort((x, y) => x - y);
  return { count: s.length, p50: round1(percentile(s, 50)), p95: round1(percentile(s, 95)), p99: round1(percentile(s, 99)), max: round1(s[s.length - 1] ?? NaN) };
}

/** Resident set size of a process in bytes (VmRSS), NaN when it is gone. */
function rssOf(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Refuses to run without the SLA clock workflow: a figure without it would measure nothing. */
function checkClockWorkflow(): void {
  const entry = path.join(PROJECT_ROOT, 'dist', 'workflows', 'index.js');
  const text = existsSync(entry) ? readFileSync(entry, 'utf8') : '';
  if (!CLOCK_WORKFLOW.test(text)) {
    throw new NotReady(
      'the SLA clock workflow is not in this build (workflows/index.ts exports no SLA clock workflow): the durable clocks (branch sla-clocks) are not merged yet, so there is nothing to measure',
    );
  }
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  checkClockWorkflow();
  const runId = randomBytes(4).toString('hex');
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-sla-'));
  const children: ChildProcess[] = [];
  let temporalChild: ChildProcess | undefined;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  let db: pg.Pool | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  let rssTimer: NodeJS.Timeout | undefined;
  try {
    let address = options.temporal;
    if (!address) {
      const server = await startOwnTemporal(work, 7288);
      temporalChild = server.child;
      address = server.address;
      log(`Temporal dev server of the benchmark at ${address}`);
    }
    await admin.connect();
    await recreateDatabase(admin, DATABASE);
    const playbooksDir = path.join(work, 'playbooks');
    mkdirSync(playbooksDir);
    writeFileSync(path.join(playbooksDir, 'bench-sla.yaml'), PLAYBOOK);

    const entry = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');
    const apiPort = 20_000 + Math.floor(Math.random() * 20_000);
    const env: Record<string, string> = {
      NODE_ENV: 'development',
      DATABASE_URL,
      TEMPORAL_ADDRESS: address,
      VIGIL_TASK_QUEUE: QUEUE,
      VIGIL_PLAYBOOKS_DIR: playbooksDir,
      VIGIL_API_PORT: String(apiPort),
      VIGIL_LOG_LEVEL: 'warn',
      VIGIL_CASE_IDLE_TIMEOUT: '30m',
    };
    await migrate(entry, env, log);
    children.push(startChild('vigil api', [entry, 'api'], env, log));
    const worker = startChild('vigil worker', [entry, 'worker'], env, log);
    children.push(worker);
    db = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
    // The database is dropped at the end (WITH FORCE): an idle client's termination then is expected, not a crash.
    db.on('error', () => undefined);
    await waitFor(
      'the API',
      60_000,
      async () => {
        const status = await new Promise<number>((resolve, reject) => {
          http
            .get({ host: '127.0.0.1', port: apiPort, path: '/healthz' }, (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            })
            .on('error', reject);
        });
        return status === 200 ? true : undefined;
      },
      250,
    );
    let rssMax = 0;
    rssTimer = setInterval(() => {
      const rss = rssOf(worker.pid);
      if (Number.isFinite(rss)) rssMax = Math.max(rssMax, rss);
    }, 1000);

    const tenant = async (slug: string, role: string): Promise<{ id: string; key: string }> => {
      const { rows } = await db!.query<{ id: string }>(`INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id`, [slug]);
      const key = newKeyValue();
      await db!.query(`INSERT INTO api_keys (tenant_id, name, role, key_hash, key_prefix) VALUES ($1, 'bench', $2, $3, $4)`, [rows[0]!.id, role, hashKey(key), key.slice(0, 8)]);
      return { id: rows[0]!.id, key };
    };
    const plain = await tenant(`bench-plain-${runId}`, 'admin');
    const sla = await tenant(`bench-sla-${runId}`, 'admin');
    // Targets so that, with detection times spread over the first third, every due instant falls in [T0 + lead, T0 + lead + spread].
    const third = Math.max(1, Math.round(options.spread / 3));
    const target = (k: number): string => `PT${options.lead + k * third}S`;
    const policy = await apiRequest(
      agent,
      apiPort,
      'POST',
      '/api/v1/sla/policies',
      sla.key,
      JSON.stringify({ name: 'Bench high', severity: 'high', timeToAcknowledge: target(1), timeToContain: target(2), timeToResolve: target(3), clockStart: 'detected' }),
    );
    if (policy.status !== 201) throw new Error(`SLA policy: HTTP ${policy.status} ${policy.body.slice(0, 300)}`);

    const body = (kind: string, i: number, detectedAt?: number): string =>
      JSON.stringify({
        title: `SLA bench ${kind} alert`,
        severity: 'high',
        sourceId: `${kind}-${runId}-${i}`,
        host: `${kind}-host-${i}`,
        rule: `bench_${kind}`,
        ...(detectedAt === undefined ? {} : { time: new Date(detectedAt).toISOString() }),
      });
    const post = async (key: string, bodies: string[]): Promise<{ figures: Figures; caseIds: string[] }> => {
      const latencies: number[] = [];
      const caseIds: string[] = [];
      const t0 = nowMs();
      await pool(bodies, options.concurrency, async (b, i) => {
        const s = nowMs();
        const reply = await apiRequest(agent, apiPort, 'POST', '/api/v1/alerts/generic', key, b);
        latencies.push(nowMs() - s);
        if (reply.status !== 202) throw new Error(`alert ${i}: HTTP ${reply.status} ${reply.body.slice(0, 300)}`);
        caseIds.push((JSON.parse(reply.body) as { alerts: Array<{ caseId: string }> }).alerts[0]!.caseId);
      });
      return { figures: figures(latencies, (nowMs() - t0) / 1000), caseIds };
    };
    const drained = (what: string) =>
      waitFor(what, 300_000, async () => ((await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`)).rows[0]!.n === 0 ? true : undefined), 250);

    log('warming up');
    await post(
      plain.key,
      Array.from({ length: 100 }, (_, i) => body('warm', i)),
    );
    await drained('the warm-up outbox to drain');
    await sleep(2000);

    log(`(a1) ${options.alerts} new alerts, tenant without SLA policies`);
    const a1 = (
      await post(
        plain.key,
        Array.from({ length: options.alerts }, (_, i) => body('plain1', i)),
      )
    ).figures;
    await drained('the (a1) outbox to drain');
    await sleep(2000);

    // (s) the open cases; T0 anchors every due instant.
    const t0 = Date.now();
    const detected = (i: number, n: number): number => t0 - Math.round(((i + 0.5) / n) * third * 1000);
    log(`(s) ${options.cases} open cases with three clocks each, due from +${options.lead} s to +${options.lead + 3 * third} s`);
    const seeded = await post(
      sla.key,
      Array.from({ length: options.cases }, (_, i) => body('clock', i, detected(i, options.cases))),
    );
    log(`(b) ${options.alerts} new alerts, tenant with SLA policies, beside ${options.cases} open cases`);
    const bPosted = await post(
      sla.key,
      Array.from({ length: options.alerts }, (_, i) => body('slanew', i, detected(i, options.alerts))),
    );
    const b = bPosted.figures;
    if (Date.now() > t0 + options.lead * 1000) log(`warning: (b) ended after the first due instant; raise --lead for a clean (b)`);
    const expectedClocks = 3 * (options.cases + options.alerts);
    await waitFor(
      `${expectedClocks} clock rows (the clock workflow plans each case's clocks)`,
      120_000,
      async () => {
        const n = (await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM case_sla_clocks WHERE tenant_id = $1`, [sla.id])).rows[0]!.n;
        return n >= expectedClocks ? true : undefined;
      },
      250,
    ).catch((error: unknown) => {
      throw new NotReady(`the clock workflow did not plan the cases' clocks: ${error instanceof Error ? error.message : String(error)}`);
    });
    const rssOpen = rssOf(worker.pid);
    const windowEnd = t0 + (options.lead + 3 * third) * 1000;
    log(`waiting for every clock to breach (window ends in ${Math.max(0, Math.round((windowEnd - Date.now()) / 1000))} s)`);
    await waitFor(
      'every clock to be recorded as breached',
      Math.max(0, windowEnd - Date.now()) + 120_000,
      async () => {
        const n = (await db!.query<{ n: number }>(`SELECT count(*)::int AS n FROM case_sla_clocks WHERE tenant_id = $1 AND breached_at IS NOT NULL`, [sla.id])).rows[0]!.n;
        return n >= expectedClocks ? true : undefined;
      },
      500,
    );
    const rssAfter = rssOf(worker.pid);
    // Due instant → breach recorded: the audit line written in the breach's transaction carries the due instant and the
    // wall-clock time of the write (clock_timestamp()); the clock row's updated_at moves on every later re-plan, and
    // threshold rows record the planned instant itself, so neither tells when a timer fired.
    const breachRows = await db.query<{ ms: number }>(
      `SELECT EXTRACT(EPOCH FROM (at - (details ->> 'dueAt')::timestamptz)) * 1000 AS ms
         FROM audit_log WHERE tenant_id = $1 AND action = 'sla_clock.breached' AND details ? 'dueAt'`,
      [sla.id],
    );
    const breachLatency = latencyFigures(breachRows.rows.map((r) => Number(r.ms)));
    if (breachLatency.count < expectedClocks) throw new Error(`${breachLatency.count} breach audit lines for ${expectedClocks} breached clocks`);
    await drained('the clock outbox to drain');
    await sleep(2000);

    log(`(a2) ${options.alerts} new alerts, tenant without SLA policies`);
    const a2 = (
      await post(
        plain.key,
        Array.from({ length: options.alerts }, (_, i) => body('plain2', i)),
      )
    ).figures;
    const baseline = round1((a1.rate + a2.rate) / 2);
    const ratio = Math.round((b.rate / baseline) * 100) / 100;
    const GB = 1024 ** 3;
    const fireP95 = breachLatency.p95;
    const met = { rss: rssMax <= GB, fireP95: fireP95 <= 1000, ingestRatio: ratio >= 0.9 };

    const out = process.stdout;
    const line = (name: string, f: Figures): string =>
      `${name.padEnd(46)} ${String(f.count).padStart(6)} in ${f.seconds.toFixed(1).padStart(6)} s = ${f.rate.toFixed(1).padStart(7)}/s   p50 ${f.p50.toFixed(1).padStart(7)} ms   p95 ${f.p95.toFixed(1).padStart(7)} ms`;
    const mb = (n: number): string => `${(n / 1024 ** 2).toFixed(0)} MB`;
    out.write(`\nVigil SLA benchmark — ${os.cpus().length} CPUs, concurrency ${options.concurrency}, Temporal ${address}, node ${process.version}\n`);
    out.write(`${line('(a1) new alerts, no SLA policy → 202', a1)}\n`);
    out.write(`${line(`(s) ${options.cases} cases with clocks → 202`, seeded.figures)}\n`);
    out.write(`${line('(b) new alerts, SLA policy, clocks open → 202', b)}\n`);
    out.write(`${line('(a2) new alerts, no SLA policy → 202', a2)}\n`);
    out.write(`ingest ratio b / mean(a1, a2) = ${ratio} (target ≥ 0.9)\n`);
    out.write(`timer fire, due instant → breach recorded: ${JSON.stringify(breachLatency)} ms (target p95 ≤ 1000)\n`);
    out.write(`worker RSS: max ${mb(rssMax)}, with every clock open ${mb(rssOpen)}, after the breaches ${mb(rssAfter)} (target ≤ 1024 MB)\n`);
    out.write(
      `${JSON.stringify({
        cpus: os.cpus().length,
        cases: options.cases,
        clocks: expectedClocks,
        ingest: { a1, a2, b, seeded: seeded.figures, baselineRate: baseline, ratio },
        fireLatencyMs: { breach: breachLatency, p95: fireP95 },
        workerRssBytes: { max: rssMax, open: rssOpen, after: rssAfter },
        targets: { rssBytes: GB, fireP95Ms: 1000, ingestRatio: 0.9, met: met.rss && met.fireP95 && met.ingestRatio, each: met },
      })}\n`,
    );
  } finally {
    if (rssTimer) clearInterval(rssTimer);
    agent.destroy();
    for (const child of children.reverse()) await stopChild(child);
    await db?.end().catch(() => undefined);
    if (!options.keep) await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
    await stopChild(temporalChild, 5_000);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  const notReady = error instanceof NotReady;
  process.stderr.write(
    `bench:sla ${notReady ? 'cannot measure' : 'failed'}: ${error instanceof Error ? (notReady ? error.message : (error.stack ?? error.message)) : String(error)}\n`,
  );
  process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error), measured: false })}\n`);
  process.exit(1);
});
