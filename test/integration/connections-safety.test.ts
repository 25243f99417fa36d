import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ActionRunner } from '../../src/activities/action-runner.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { finishedCase, playbookDir, postGenericAlert, simulatorCalls, simulatorConnectionBody } from '../support/integrations-fixtures.js';

const RATE_LIMITED = `
id: rate_limited_lookups
name: Three lookups in a row
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1595]
steps:
  - { id: first, kind: action, action: greynoise.ip_context, with: { ip: "198.51.100.11" }, retry: { maxAttempts: 10, initialInterval: 100ms } }
  - { id: second, kind: action, action: greynoise.ip_context, with: { ip: "198.51.100.12" }, retry: { maxAttempts: 10, initialInterval: 100ms } }
  - { id: third, kind: action, action: greynoise.ip_context, with: { ip: "198.51.100.13" }, retry: { maxAttempts: 10, initialInterval: 100ms } }
  - { id: done, kind: end, status: triaged }
`;

const SLOW_CALL = `
id: slow_call
name: One slow HTTP call
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1046]
steps:
  - id: call
    kind: action
    action: http.request
    with: { url: "{{lookup observables.url 0}}" }
    retry: { maxAttempts: 20, initialInterval: 100ms, maxInterval: 1s }
  - { id: done, kind: end, status: triaged }
`;

const REPUTATION = `
id: storm_reputation
name: Reputation of the first address
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1071]
steps:
  - id: reputation
    kind: action
    action: abuseipdb.check_ip
    with: { ip: "{{lookup observables.ip 0}}" }
  - { id: done, kind: end, status: triaged }
`;

function failureOf(error: unknown): ApplicationFailure {
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

function delayMs(failure: ApplicationFailure): number {
  const d = failure.nextRetryDelay;
  assert.equal(typeof d, 'number', `nextRetryDelay is ${String(d)}`);
  return d as number;
}

describe('integration safety: rate limits, concurrency caps, the enrichment cache', () => {
  let stack: TestStack;
  let worker: RunningWorker;

  before(async () => {
    stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: playbookDir({ 'rate.yaml': RATE_LIMITED, 'reputation.yaml': REPUTATION, 'slow.yaml': SLOW_CALL }) });
    worker = await stack.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  async function tenantWith(vendor: string, settings: Record<string, unknown>): Promise<TestTenant> {
    const t = await stack.createTenant();
    const res = await http('POST', `${stack.url}/api/v1/connections`, { key: t.key, body: simulatorConnectionBody(stack.simulatorUrl, vendor, { settings }) });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return t;
  }

  test('over the rate limit: the call waits for its token and goes through; a hold longer than the attempt is a retryable failure carrying the wait', async () => {
    const t = await tenantWith('greynoise', { rateLimitPerMinute: 60, rateLimitBurst: 1, cacheTtlSeconds: 0 });
    const runner = stack.api.get(ActionRunner);
    const call = (n: number, attemptMs?: number) => ({
      tenantId: t.id,
      action: 'greynoise.ip_context',
      params: { ip: '198.51.100.21' },
      scope: {},
      idempotencyKey: `rate-${t.id}-${n}`,
      attemptMs,
    });
    await runner.run(call(1));
    const refused = failureOf(
      await runner.run(call(2, 400)).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.equal(refused.type, 'rate_limited');
    assert.equal(refused.nonRetryable, false);
    const wait = delayMs(refused);
    assert.ok(wait > 300 && wait <= 1000, `waits ${wait} ms for the next token (60/min)`);
    assert.match(refused.message, /limit of 60\/min \(burst 1\) is reached/);
    const t0 = Date.now();
    const waited = await runner.run(call(3, 30_000));
    assert.ok(Date.now() - t0 >= 300, 'the call waited for its token');
    assert.ok((waited.heldMs ?? 0) >= 300);
    const calls = (await simulatorCalls(stack.simulatorUrl, 'greynoise')).filter((c) => c.path.includes('198.51.100.21'));
    assert.equal(calls.length, 2, 'the refused attempt never reached the vendor');
  });

  test('over the concurrency cap: the second call in flight waits for the first to finish, never two at once', async () => {
    const t = await tenantWith('http', { maxConcurrent: 1 });
    const runner = stack.api.get(ActionRunner);
    const url = `${stack.simulatorUrl}/http/delay/600?run=${t.id}`;
    const call = (n: number, attemptMs?: number) => ({ tenantId: t.id, action: 'http.request', params: { url }, scope: {}, idempotencyKey: `conc-${t.id}-${n}`, attemptMs });
    const first = runner.run(call(1));
    await eventually(
      async () => ((await simulatorCalls(stack.simulatorUrl, 'http')).some((c) => JSON.stringify(c.query).includes(t.id)) ? true : undefined),
      5_000,
      'the first call to reach the simulator',
    );
    const refused = failureOf(
      await runner.run(call(2, 300)).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.equal(refused.type, 'concurrency_limited', 'no room in a short attempt: a retryable failure');
    assert.equal(refused.nonRetryable, false);
    const wait = delayMs(refused);
    assert.ok(wait >= 500 && wait < 1000, `waits ${wait} ms`);
    const second = await runner.run(call(3, 30_000));
    assert.equal(((await first).output as { status: number }).status, 200);
    assert.equal((second.output as { status: number }).status, 200);
    assert.ok((second.heldMs ?? 0) > 0, 'it waited for the first call');
    const times = (await simulatorCalls(stack.simulatorUrl, 'http'))
      .filter((c) => JSON.stringify(c.query).includes(t.id))
      .map((c) => Date.parse(c.time))
      .sort((a, b) => a - b);
    assert.equal(times.length, 2);
    assert.ok(times[1]! - times[0]! >= 550, 'the second call went out after the first finished');
    const leases: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM integration_leases WHERE tenant_id = $1', [t.id]);
    assert.equal(leases[0]!.n, 0, 'every lease released');
  });

  test('through Temporal: a rate-limited run waits out the limit and completes, calls spaced by the rate, no attempt spent', async () => {
    const t = await tenantWith('greynoise', { rateLimitPerMinute: 60, rateLimitBurst: 1, cacheTtlSeconds: 0 });
    const t0 = Date.now();
    const caseId = await postGenericAlert(stack, t.key, { title: `rate ${randomUUID()}`, severity: 'low', techniques: ['T1595'] });
    const view = await finishedCase(stack, t.key, caseId, 20_000);
    assert.equal(view.run.status, 'completed', JSON.stringify(view.timeline.map((l) => l.message)));
    const calls = (await simulatorCalls(stack.simulatorUrl, 'greynoise')).filter((c) => /198\.51\.100\.1[123]/.test(c.path) && Date.parse(c.time) >= t0);
    assert.equal(calls.length, 3);
    const times = calls.map((c) => Date.parse(c.time)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1) assert.ok(times[i]! - times[i - 1]! >= 900, `calls ${times[i]! - times[i - 1]!} ms apart at 60/min`);
    assert.deepEqual(
      view.timeline.filter((l) => l.kind === 'step_failed').map((l) => l.message),
      [],
      'a hold is a wait, not a failed attempt',
    );
    const waited = view.timeline.filter((l) => l.kind === 'step_finished' && /waited \d+ ms for the tenant's rate limit/.test(l.message));
    assert.ok(waited.length >= 2, `steps that waited: ${waited.length}`);
  });

  test('through Temporal: runs in parallel against a cap of 1 never have two calls in flight, and all complete', async () => {
    const t = await tenantWith('http', { maxConcurrent: 1 });
    const t0 = Date.now();
    const url = `${stack.simulatorUrl}/http/delay/400?tenant=${t.id}`;
    const caseIds = await Promise.all(
      [1, 2, 3].map((i) => postGenericAlert(stack, t.key, { title: `slow ${i}`, severity: 'low', techniques: ['T1046'], observables: [{ type: 'url', value: url }] })),
    );
    for (const caseId of caseIds) {
      const view = await finishedCase(stack, t.key, caseId, 30_000);
      assert.equal(view.run.status, 'completed', JSON.stringify(view.timeline.map((l) => l.message)));
    }
    const calls = (await simulatorCalls(stack.simulatorUrl, 'http')).filter((c) => JSON.stringify(c.query).includes(t.id) && Date.parse(c.time) >= t0);
    assert.equal(calls.length, 3);
    const times = calls.map((c) => Date.parse(c.time)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1)
      assert.ok(times[i]! - times[i - 1]! >= 390, `call started ${times[i]! - times[i - 1]!} ms after the previous one, which takes 400 ms`);
  });

  test('a storm of 100 alerts about one IP costs one reputation call (per tenant)', async () => {
    const t = await stack.createTenant();
    const ip = '203.0.113.150';
    const t0 = Date.now();
    const alerts = Array.from({ length: 100 }, (_, i) => ({ title: `storm ${i}`, severity: 'high', techniques: ['T1071'], observables: [{ type: 'ip', value: ip }] }));
    const res = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, { key: t.key, body: alerts });
    assert.equal(res.status, 202);
    assert.equal(new Set(res.body.alerts.map((a) => a.caseId)).size, 100, 'one case per alert');
    await eventually(
      async () => {
        const rows: Array<{ n: number }> = await stack.db.query(`SELECT count(*)::int AS n FROM cases WHERE tenant_id = $1 AND run_status = 'completed'`, [t.id]);
        return rows[0]!.n === 100 ? true : undefined;
      },
      60_000,
      'all 100 runs to complete',
    );
    const elapsed = Date.now() - t0;
    const calls = (await simulatorCalls(stack.simulatorUrl, 'abuseipdb')).filter((c) => JSON.stringify(c.query).includes(ip));
    assert.equal(calls.length, 1, `${calls.length} reputation calls for 100 alerts`);
    const reused: Array<{ n: number }> = await stack.db.query(
      `SELECT count(*)::int AS n FROM case_events WHERE tenant_id = $1 AND kind = 'step_finished' AND data->>'reused' = 'cache'`,
      [t.id],
    );
    assert.equal(reused[0]!.n, 99);
    process.stdout.write(`# storm: 100 alerts, 100 runs completed in ${elapsed} ms, ${calls.length} reputation call\n`);

    // Another tenant's alert about the same address is its own lookup: the cache is per tenant.
    const other = await stack.createTenant();
    const caseId = await postGenericAlert(stack, other.key, { title: 'same ip, other tenant', severity: 'high', techniques: ['T1071'], observables: [{ type: 'ip', value: ip }] });
    await finishedCase(stack, other.key, caseId);
    assert.equal((await simulatorCalls(stack.simulatorUrl, 'abuseipdb')).filter((c) => JSON.stringify(c.query).includes(ip)).length, 2);
  });

  test("the cache TTL follows the connection's setting", async () => {
    const t = await tenantWith('abuseipdb', { cacheTtlSeconds: 1 });
    const runner = stack.api.get(ActionRunner);
    const ip = '203.0.113.151';
    const call = (n: number) => ({ tenantId: t.id, action: 'abuseipdb.check_ip', params: { ip }, scope: {}, idempotencyKey: `ttl-${t.id}-${n}` });
    const a = await runner.run(call(1));
    const b = await runner.run(call(2));
    assert.equal(a.reused, undefined);
    assert.equal(b.reused, 'cache');
    assert.deepEqual(b.output, a.output);
    await new Promise((r) => setTimeout(r, 1_200));
    const c = await runner.run(call(3));
    assert.equal(c.reused, undefined);
    assert.equal((await simulatorCalls(stack.simulatorUrl, 'abuseipdb')).filter((x) => JSON.stringify(x.query).includes(ip)).length, 2);
  });
});
