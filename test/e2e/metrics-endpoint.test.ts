import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MetricsAccess, MetricsExposition, startWorkerMetricsServer, type WorkerMetricsServer } from '../../src/metrics/index.js';
import { ApiKeysService } from '../../src/tenants/api-keys.service.js';
import { eventually, http, type PlaybookStack, startPlaybookStack, type TestStack, type TestTenant } from '../support/stack.js';

/** `GET /metrics` on the API and the worker's own port: who may read it, which series it has, and that they move. */
const PLAYBOOKS: Record<string, string> = {
  'metrics-lookup': `
id: metrics-lookup
name: One lookup
version: "1"
priority: 10
triggers: [{ techniques: [T1071] }]
steps:
  - { id: look, kind: action, action: abuseipdb.check_ip, with: { ip: "{{lookup observables.ip 0}}" } }
  - { id: done, kind: end }
`,
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The value of one sample (`name{labels} value`) in a text exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inside.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('GET /metrics (e2e)', () => {
  const token = randomBytes(24).toString('hex');
  let running: PlaybookStack;
  let stack: TestStack;
  let tenant: TestTenant;
  let operator: string;
  let workerServer: WorkerMetricsServer;

  const scrape = (key?: string, base = stack.url) => http<string>('GET', `${base}/metrics`, key ? { key } : {});

  before(async () => {
    running = await startPlaybookStack(PLAYBOOKS, { VIGIL_METRICS_TOKEN: token, VIGIL_TEMPORAL_METRICS_PORT: String(await freePort()) });
    stack = running.stack;
    tenant = await stack.createTenant();
    operator = `vgl_test_${randomBytes(16).toString('hex')}`;
    await stack.api.get(ApiKeysService).ensureAdminKey(operator);
    workerServer = await startWorkerMetricsServer({ host: '127.0.0.1', port: 0, access: stack.api.get(MetricsAccess), exposition: stack.api.get(MetricsExposition) });
  });
  after(async () => {
    await workerServer?.close();
    await running?.stop();
  });

  test('never public: 401 without or with a wrong bearer, 403 for a tenant admin key, 200 for an operator key and the token', async () => {
    assert.equal((await scrape()).status, 401);
    assert.equal((await scrape('not-the-token')).status, 401);
    const refused = await scrape(tenant.key);
    assert.equal(refused.status, 403);
    assert.equal((refused.body as unknown as { error: { code: string } }).error.code, 'forbidden');
    const byOperator = await scrape(operator);
    assert.equal(byOperator.status, 200);
    assert.match(byOperator.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal((await scrape(token)).status, 200);
    // The worker's port keeps the same rule.
    const workerUrl = `http://127.0.0.1:${workerServer.port}`;
    assert.equal((await scrape(undefined, workerUrl)).status, 401);
    assert.equal((await scrape(tenant.key, workerUrl)).status, 403);
    assert.equal((await scrape(token, workerUrl)).status, 200);
  });

  test('the ingest counter moves by outcome, the outbox and SLA gauges and the HTTP histogram are there, with route patterns only', async () => {
    const labels = { tenant: tenant.slug, source: 'generic' };
    const before = await scrape(token);
    const accepted0 = sample(before.body, 'vigil_alerts_received_total', { ...labels, outcome: 'accepted' });
    const body = {
      title: `Beacon ${randomBytes(3).toString('hex')}`,
      severity: 'high',
      uid: `u-${randomBytes(4).toString('hex')}`,
      techniques: ['T1071'],
      observables: [{ type: 'ip', value: '203.0.113.7' }],
    };
    const first = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal((await http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body })).status, 202);
    assert.equal((await http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { nope: true } })).status, 400);
    await http('GET', `${stack.url}/api/v1/cases/${first.body.alerts[0]!.caseId}`, { key: tenant.key });

    const text = (await scrape(token)).body;
    assert.equal(sample(text, 'vigil_alerts_received_total', { ...labels, outcome: 'accepted' }), accepted0 + 1);
    assert.equal(sample(text, 'vigil_alerts_received_total', { ...labels, outcome: 'duplicate' }), 1);
    assert.equal(sample(text, 'vigil_alerts_received_total', { ...labels, outcome: 'rejected' }), 1);
    for (const name of [
      'vigil_outbox_depth',
      'vigil_outbox_oldest_age_seconds',
      'vigil_sla_clocks_open',
      'vigil_http_request_duration_seconds',
      'vigil_process_resident_memory_bytes',
      'vigil_nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is exposed`);
    }
    assert.ok(sample(text, 'vigil_http_request_duration_seconds_count', { route: '/api/v1/cases/:id', method: 'GET', status: '200' }) >= 1);
    assert.doesNotMatch(text, new RegExp(first.body.alerts[0]!.caseId), 'no case id in any label');
  });

  test("the Temporal SDK's series (workflow task latency, activity outcomes) ride along once the worker ran a task", async () => {
    const body = { title: `Beacon ${randomBytes(3).toString('hex')}`, severity: 'high', techniques: ['T1071'], observables: [{ type: 'ip', value: '203.0.113.8' }] };
    assert.equal((await http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body })).status, 202);
    let last = '';
    const text = await eventually(
      async () => {
        const t = (await scrape(token)).body;
        last = t;
        return /^temporal_workflow_task_execution_latency_seconds_count\{/m.test(t) && /^temporal_local_activity_execution_latency_seconds_count\{/m.test(t) ? t : undefined;
      },
      20_000,
      'Temporal SDK series',
    ).catch((error: unknown) => {
      const names = [
        ...new Set(
          last
            .split('\n')
            .filter((l) => l.startsWith('temporal_') || l.startsWith('# Temporal'))
            .map((l) => l.split(/[{ ]/)[0]),
        ),
      ];
      throw new Error(`${String(error)}; Temporal lines: ${names.join(', ')}`);
    });
    assert.match(text, /^# TYPE temporal_workflow_task_execution_latency_seconds histogram/m);
  });
  test('the SLA series move: clocks open by tenant slug while they run, a breach counted once in vigil_sla_breaches_total', async () => {
    const slaTenant = await stack.createTenant();
    const policy = await http('POST', `${stack.url}/api/v1/sla/policies`, {
      key: slaTenant.key,
      body: { name: 'High', severity: 'high', timeToAcknowledge: 'PT2S', timeToContain: 'PT1H', timeToResolve: 'PT2H', clockStart: 'received', thresholds: [100] },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    const body = { title: `Clocked ${randomBytes(3).toString('hex')}`, severity: 'high', techniques: ['T1071'], observables: [{ type: 'ip', value: '203.0.113.9' }] };
    assert.equal((await http('POST', `${stack.url}/api/v1/alerts/generic`, { key: slaTenant.key, body })).status, 202);
    const open = { tenant: slaTenant.slug, status: 'running' };
    await eventually(
      async () => {
        const t = (await scrape(token)).body;
        return sample(t, 'vigil_sla_clocks_open', { ...open, clock: 'contain' }) === 1 && sample(t, 'vigil_sla_clocks_open', { ...open, clock: 'resolve' }) === 1
          ? true
          : undefined;
      },
      10_000,
      'the open clocks gauge',
    );
    const breached = await eventually(
      async () => {
        const t = (await scrape(token)).body;
        return sample(t, 'vigil_sla_breaches_total', { tenant: slaTenant.id, clock: 'acknowledge' }) >= 1 ? t : undefined;
      },
      15_000,
      'the breach counter',
    );
    assert.equal(sample(breached, 'vigil_sla_breaches_total', { tenant: slaTenant.id, clock: 'acknowledge', severity: '4' }), 1);
    assert.match(breached, /^# TYPE vigil_sla_escalations_total counter$/m);
    assert.equal(sample(breached, 'vigil_sla_clocks_open', { ...open, clock: 'acknowledge' }), 0, 'a breached clock is no longer open');
  });
});
