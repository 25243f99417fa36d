/**
 * `npm run bench:cases`: how fast analysts read cases, over HTTP against a real Vigil API, beside a
 * baseline measured in the same run: the very same SQL sent straight to PostgreSQL through `pg`.
 *
 *   - seeds one tenant with 10,000 cases and 100,000 alerts (plus timeline lines, comments and tasks)
 *     with bulk INSERT … SELECT generate_series, in a database of its own (`vigil_bench`, dropped and
 *     created again each run);
 *   - starts `node dist/src/main.js api` on that database as a child process (outbox off);
 *   - filtered list: `GET /api/v1/cases` with a rotation of realistic filters and sorts (target p95 ≤ 50 ms);
 *   - case detail: `GET /api/v1/cases/{id}` of random cases without a run (target p95 ≤ 30 ms), and
 *     separately of cases with a run, which adds the live-state lookup in Temporal;
 *   - approvals: 1,000 cases waiting on an approval at once (bench/approvals-load.ts, its own database, API
 *     and worker): worker RSS (target ≤ 1 GB) and the time to decide all of them through the API.
 *
 * Requests are sequential (one analyst at a time) over a keep-alive connection, after a warm-up.
 * Options (also BENCH_<NAME>): --requests 400 --warmup 50 --approvals 1000 --keep (leave the database for inspection).
 * The last line of output is JSON with the figures.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { caseListSql } from '../src/cases/case-list.query.js';
import { listCasesQuery } from '../src/cases/case.schemas.js';
import { CASE_DETAIL_SQL } from '../src/cases/cases.repository.js';
import { PROJECT_ROOT } from '../src/config/project-paths.js';
import { hashKey, newKeyValue } from '../src/tenants/api-keys.service.js';
import { measureApprovals } from './approvals-load.js';
import { freePort } from './bench-support.js';

const DATABASE = 'vigil_bench';
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
const CASES = 10_000;
const ALERTS = 100_000;
/** Cases (every 20th) that have a playbook run, so their view asks Temporal for live step states. */
const RUN_EVERY = 20;
const TARGET_LIST_P95_MS = 50;
const TARGET_DETAIL_P95_MS = 30;
const MAIN = path.join(PROJECT_ROOT, 'dist', 'src', 'main.js');

/** The list filters an analyst's screens send, in rotation. */
const LIST_QUERIES = [
  'status=new,triaged,in_progress&minSeverity=high&sort=created_at&order=desc&limit=50',
  'assignee=analyst3%40soc.example&sort=updated_at&order=desc&limit=50',
  'tag=ransomware&minSeverity=3&limit=50',
  'q=beacon&source=crowdstrike&limit=50',
  'status=contained,on_hold&sort=severity&order=desc&limit=50',
  'createdFrom={from}&createdTo={to}&sort=created_at&order=asc&limit=50',
  'limit=50',
  'status=closed&tag=phishing&sort=updated_at&limit=100',
];

interface Options {
  requests: number;
  warmup: number;
  keep: boolean;
  approvals: number;
}

function readOptions(argv: string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[i + 1] : 'true';
    return process.env[`BENCH_${name.toUpperCase()}`];
  };
  const int = (name: string, fallback: number): number => {
    const n = Number(get(name) ?? fallback);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return { requests: int('requests', 400), warmup: int('warmup', 50), keep: get('keep') === 'true', approvals: int('approvals', 1000) };
}

interface Stats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const round = (x: number): number => Math.round(x * 100) / 100;
  return { n: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? NaN) };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function recreateDatabase(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [DATABASE]);
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
}

function migrate(): void {
  const r = spawnSync(process.execPath, [MAIN, 'migrate'], { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL, VIGIL_LOG_LEVEL: 'error' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vigil migrate failed: ${r.stderr}`);
}

/** Seeds tenant `bench`: cases, alerts (10 per case), timeline lines, comments and tasks; returns its id, a key and the time range. */
async function seed(db: pg.Client): Promise<{ tenantId: string; key: string }> {
  const key = newKeyValue();
  const tenant = await db.query<{ id: string }>(`INSERT INTO tenants (slug, name) VALUES ('bench', 'Bench') RETURNING id`);
  const tenantId = tenant.rows[0]!.id;
  await db.query(`INSERT INTO api_keys (tenant_id, name, role, key_hash, key_prefix) VALUES ($1, 'bench analyst', 'analyst', $2, $3)`, [tenantId, hashKey(key), key.slice(0, 8)]);
  await db.query(
    `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, run_status, workflow_id,
                        created_at, updated_at, last_alert_at, tags, assignee, resolution, playbook_id, playbook_version, playbook_hash)
     SELECT md5('case-' || g)::uuid, $1,
            (ARRAY['Beacon to known C2 from', 'Phishing mail reported by', 'Impossible travel for', 'Ransomware behaviour on', 'Brute force against'])[1 + g % 5] || ' host-' || (g % 997),
            s.status, 0, md5('fp-' || g), (ARRAY['generic', 'crowdstrike', 'sentinel', 'splunk', 'guardduty'])[1 + (g / 7) % 5], 10,
            CASE WHEN g % $3 = 0 THEN 'completed' ELSE 'none' END, 'case-' || md5('case-' || g)::uuid,
            now() - make_interval(mins => g * 5), now() - make_interval(mins => g * 5) + make_interval(mins => (g * 37) % 300), now() - make_interval(mins => g * 5),
            CASE g % 4 WHEN 0 THEN ARRAY['ransomware', 'vip'] WHEN 1 THEN ARRAY['phishing'] WHEN 2 THEN ARRAY[]::text[] ELSE ARRAY['c2'] END,
            CASE WHEN g % 3 = 0 THEN NULL ELSE 'analyst' || (g % 10) || '@soc.example' END,
            CASE WHEN s.status IN ('resolved', 'closed') THEN 'true_positive' WHEN s.status = 'false_positive' THEN 'false_positive' END,
            CASE WHEN g % $3 = 0 THEN 'default' END, CASE WHEN g % $3 = 0 THEN '1.0.0' END, CASE WHEN g % $3 = 0 THEN md5('pb') END
     FROM generate_series(1, $2::int) g,
          LATERAL (SELECT (ARRAY['new', 'triaged', 'in_progress', 'contained', 'resolved', 'closed', 'on_hold', 'false_positive'])[1 + (g * 3) % 8] AS status) s`,
    [tenantId, CASES, RUN_EVERY],
  );
  await db.query(
    `INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, observables, raw, count, first_seen_at, last_seen_at, join_reason)
     SELECT $1::uuid, md5('case-' || x.c)::uuid, 'generic', 'uid-' || a, md5('fp-' || x.c), x.sev, 'alert ' || a, x.ts,
            jsonb_build_object(
              'class_uid', 2004, 'severity_id', x.sev,
              'finding_info', jsonb_build_object('uid', 'uid-' || a, 'title', 'alert ' || a,
                'attacks', jsonb_build_array(jsonb_build_object('tactic', jsonb_build_object('uid', 'TA0011', 'name', 'Command and Control'),
                                                                'technique', jsonb_build_object('uid', 'T1071', 'name', 'Application Layer Protocol')))),
              'device', jsonb_build_object('hostname', 'host-' || (x.c % 997)),
              'observables', (SELECT jsonb_agg(e - 'kind') FROM jsonb_array_elements(o.list) e)),
            o.list, '{}'::json, 1, x.ts, x.ts, '{"rule":"fingerprint"}'::jsonb
     FROM generate_series(1, $2::int) a,
          LATERAL (SELECT 1 + (a - 1) % $3 AS c, 1 + (a * 7) % 5 AS sev,
                          now() - make_interval(mins => ((a - 1) % $3) * 5) + make_interval(secs => a % 97) AS ts) x,
          -- Vigil's observables (the alerts.observables column); the finding lists the same without Vigil's kind.
          LATERAL (SELECT jsonb_build_array(
                jsonb_build_object('kind', 'ip', 'name', 'unmapped.iocs[0]', 'type_id', 2, 'type', 'IP Address', 'value', '198.51.' || (x.c % 250) || '.' || (a % 3)),
                jsonb_build_object('kind', 'domain', 'name', 'unmapped.iocs[1]', 'type_id', 1, 'type', 'Hostname', 'value', 'c2-' || (x.c % 500) || '.example'),
                jsonb_build_object('kind', 'sha256', 'name', 'unmapped.iocs[2]', 'type_id', 8, 'type', 'Hash', 'value', encode(sha256(('h' || x.c)::bytea), 'hex'))) AS list) o`,
    [tenantId, ALERTS, CASES],
  );
  // A case's severity is the highest of its alerts, as ingest keeps it.
  await db.query(`UPDATE cases c SET severity_id = m.s FROM (SELECT case_id, max(severity_id) AS s FROM alerts WHERE tenant_id = $1 GROUP BY case_id) m WHERE c.id = m.case_id`, [
    tenantId,
  ]);
  await db.query(
    `INSERT INTO case_events (tenant_id, case_id, at, actor, kind, step_id, message, data)
     SELECT $1::uuid, md5('case-' || g)::uuid, now() - make_interval(mins => g * 5) + make_interval(secs => 5), 'playbook', 'step_finished', 'enrich_ip', 'called abuseipdb.check_ip',
            jsonb_build_object('action', 'abuseipdb.check_ip', 'input', jsonb_build_object('ip', '198.51.' || (g % 250) || '.0'),
                               'output', jsonb_build_object('verdict', (ARRAY['malicious', 'suspicious', 'clean'])[1 + g % 3], 'abuseConfidenceScore', g % 100))
     FROM generate_series(1, $2::int) g
     UNION ALL
     SELECT $1::uuid, md5('case-' || g)::uuid, now() - make_interval(mins => g * 5) + make_interval(secs => 6), 'playbook', 'status_changed', NULL, 'status new → triaged', '{"from":"new","to":"triaged"}'::jsonb
     FROM generate_series(1, $2::int) g
     UNION ALL
     SELECT $1::uuid, md5('case-' || g)::uuid, now() - make_interval(mins => g * 5) + make_interval(secs => 60), 'user:analyst', 'comment_added', NULL, 'comment: looked at it', '{}'::jsonb
     FROM generate_series(1, $2::int) g`,
    [tenantId, CASES],
  );
  await db.query(
    `INSERT INTO case_comments (tenant_id, case_id, author, body, created_at)
     SELECT $1::uuid, md5('case-' || g)::uuid, 'user:analyst', 'looked at it: host ' || (g % 997) || ' talks to the C2 every 60 s', now() - make_interval(mins => g * 5) + make_interval(secs => 60)
     FROM generate_series(1, $2::int) g`,
    [tenantId, CASES],
  );
  await db.query(
    `INSERT INTO case_tasks (tenant_id, case_id, title, assignee, done, created_by, created_at, updated_at)
     SELECT $1::uuid, md5('case-' || g)::uuid, 'Reset the credentials of user ' || g, 'analyst' || (g % 10) || '@soc.example', g % 4 = 0, 'user:analyst',
            now() - make_interval(mins => g * 5), now() - make_interval(mins => g * 5)
     FROM generate_series(1, $2::int, 2) g`,
    [tenantId, CASES],
  );
  await db.query('ANALYZE');
  return { tenantId, key };
}

async function startApi(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN, 'api'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL,
      VIGIL_API_PORT: String(port),
      VIGIL_API_HOST: '127.0.0.1',
      VIGIL_OUTBOX_ENABLED: 'false',
      VIGIL_LOG_LEVEL: 'error',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > 30_000) throw new Error('the API did not start within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One GET over the keep-alive connection; resolves with the time to the last byte, in ms. */
function timedGet(port: number, pathAndQuery: string, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t0;
        if (res.statusCode !== 200) reject(new Error(`GET ${pathAndQuery} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
        else resolve(ms);
      });
    });
    req.on('error', reject);
  });
}

async function measure(n: number, warmup: number, one: (i: number) => Promise<number>): Promise<Stats> {
  for (let i = 0; i < warmup; i += 1) await one(i);
  const samples: number[] = [];
  for (let i = 0; i < n; i += 1) samples.push(await one(warmup + i));
  return stats(samples);
}

function fmt(s: Stats | null): string {
  return s ? `${s.p50.toFixed(2).padStart(7)} ${s.p95.toFixed(2).padStart(7)} ${s.p99.toFixed(2).padStart(7)}` : '      –       –       –';
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const t0 = performance.now();
  log(`cases benchmark: ${CASES.toLocaleString('en')} cases, ${ALERTS.toLocaleString('en')} alerts in one tenant, database ${DATABASE}`);
  await recreateDatabase();
  migrate();
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
  let api: ChildProcess | undefined;
  try {
    const seedStart = performance.now();
    const { tenantId, key } = await seed(db);
    const counts = await db.query<{ cases: string; alerts: string; events: string }>(
      `SELECT (SELECT count(*) FROM cases)::text AS cases, (SELECT count(*) FROM alerts)::text AS alerts, (SELECT count(*) FROM case_events)::text AS events`,
    );
    const seedSeconds = (performance.now() - seedStart) / 1000;
    log(`seeded ${counts.rows[0]!.cases} cases, ${counts.rows[0]!.alerts} alerts, ${counts.rows[0]!.events} timeline lines in ${seedSeconds.toFixed(1)} s`);

    const port = await freePort();
    api = await startApi(port);
    log(`API (node dist/src/main.js api) listening on 127.0.0.1:${port}; ${options.requests} sequential requests per figure after ${options.warmup} warm-up`);

    const range = await db.query<{ from: string; to: string }>(`SELECT (now() - interval '20 days')::text AS from, (now() - interval '10 days')::text AS to`);
    const from = new Date(range.rows[0]!.from).toISOString();
    const to = new Date(range.rows[0]!.to).toISOString();
    const queries = LIST_QUERIES.map((q) => q.replace('{from}', encodeURIComponent(from)).replace('{to}', encodeURIComponent(to)));
    const parsed = queries.map((q) => listCasesQuery.parse(Object.fromEntries(new URLSearchParams(q))));

    const listHttp = await measure(options.requests, options.warmup, (i) => timedGet(port, `/api/v1/cases?${queries[i % queries.length]}`, key));
    const listSql = await measure(options.requests, options.warmup, async (i) => {
      const { sql, params } = caseListSql(tenantId, parsed[i % parsed.length]!);
      const t = performance.now();
      await db.query(sql, params);
      return performance.now() - t;
    });

    const plain = (await db.query<{ id: string }>(`SELECT id FROM cases WHERE tenant_id = $1 AND run_status = 'none' ORDER BY md5(id::text) LIMIT 2000`, [tenantId])).rows.map(
      (r) => r.id,
    );
    const withRun = (await db.query<{ id: string }>(`SELECT id FROM cases WHERE tenant_id = $1 AND run_status <> 'none' ORDER BY md5(id::text)`, [tenantId])).rows.map((r) => r.id);
    const approvalsTable = (await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'approvals'`)).rowCount === 1;
    const detailHttp = await measure(options.requests, options.warmup, (i) => timedGet(port, `/api/v1/cases/${plain[i % plain.length]}`, key));
    const detailSql = await measure(options.requests, options.warmup, async (i) => {
      const id = plain[i % plain.length];
      const t = performance.now();
      const c = await pool.query(CASE_DETAIL_SQL.case, [tenantId, id]);
      if (c.rowCount !== 1) throw new Error('case not found');
      await Promise.all([
        pool.query(CASE_DETAIL_SQL.alerts, [tenantId, id]),
        pool.query(CASE_DETAIL_SQL.events, [tenantId, id]),
        pool.query(CASE_DETAIL_SQL.comments, [tenantId, id]),
        pool.query(CASE_DETAIL_SQL.tasks, [tenantId, id]),
        approvalsTable ? pool.query(`SELECT * FROM approvals WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at DESC, id LIMIT 200`, [tenantId, id]) : Promise.resolve(),
      ]);
      return performance.now() - t;
    });
    const runRequests = Math.min(options.requests, 200);
    let detailWithRun: Stats | null = null;
    try {
      detailWithRun = await measure(runRequests, Math.min(options.warmup, 20), (i) => timedGet(port, `/api/v1/cases/${withRun[i % withRun.length]}`, key));
    } catch (error) {
      log(`case detail with a run: not measured (${(error as Error).message})`);
    }

    log('');
    log('                                      HTTP (ms)                  baseline: same SQL through pg (ms)');
    log('                                  p50     p95     p99   target       p50     p95     p99');
    log(`filtered list, 50–100 rows    ${fmt(listHttp)}   ≤ ${TARGET_LIST_P95_MS}   ${fmt(listSql)}   ${listHttp.p95 <= TARGET_LIST_P95_MS ? 'PASS' : 'FAIL'}`);
    log(`case detail (10 alerts)       ${fmt(detailHttp)}   ≤ ${TARGET_DETAIL_P95_MS}   ${fmt(detailSql)}   ${detailHttp.p95 <= TARGET_DETAIL_P95_MS ? 'PASS' : 'FAIL'}`);
    log(`case detail + Temporal lookup ${fmt(detailWithRun)}      –   (cases with a run also query their workflow's live state)`);
    log('');
    // ---- approvals -------------------------------------------------------------------------------------
    // 1,000 cases waiting on approvals at once: worker RSS and the time to decide them all through the API,
    // on a database, API and worker of their own (bench/approvals-load.ts).
    log('');
    const approvals = await measureApprovals({ cases: options.approvals, concurrency: 32, log });
    // -----------------------------------------------------------------------------------------------------
    const result = {
      benchmark: 'cases',
      cases: CASES,
      alerts: ALERTS,
      seedSeconds: Math.round(seedSeconds * 10) / 10,
      requests: options.requests,
      list: { http: listHttp, baselineSql: listSql, targetP95Ms: TARGET_LIST_P95_MS, pass: listHttp.p95 <= TARGET_LIST_P95_MS },
      detail: { http: detailHttp, baselineSql: detailSql, targetP95Ms: TARGET_DETAIL_P95_MS, pass: detailHttp.p95 <= TARGET_DETAIL_P95_MS },
      detailWithTemporalLookup: detailWithRun,
      approvals,
      totalSeconds: Math.round((performance.now() - t0) / 100) / 10,
    };
    log(JSON.stringify(result));
  } finally {
    agent.destroy();
    if (api && api.exitCode === null) {
      api.kill('SIGTERM');
      await new Promise((r) => api!.once('exit', r));
    }
    await pool.end();
    await db.end();
    if (!options.keep) {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cases failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
