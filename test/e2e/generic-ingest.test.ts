import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface IngestBody {
  alerts: Array<{ id: string; caseId: string; duplicate: boolean }>;
}
interface CaseBody {
  id: string;
  status: string;
  alertCount: number;
  run: { status: string; playbookId: string; playbookHash: string; temporalUrl: string; live: { steps: Array<{ stepId: string; state: string }> } | null };
  alerts: Array<{ id: string; count: number }>;
  timeline: Array<{ kind: string; stepId: string | null; message: string; data: Record<string, unknown> }>;
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe('generic alert → case → default playbook, over HTTP', () => {
  let stack: TestStack;
  let worker: RunningWorker;
  let tenant: TestTenant;

  before(async () => {
    stack = await startTestStack();
    worker = await stack.startWorker();
    tenant = await stack.createTenant();
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  test('answers 202 with alert and case ids, and the case shows the finished default run', async () => {
    const sourceId = `e2e-${Date.now()}`;
    const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, {
      key: tenant.key,
      body: { title: 'Beacon to known C2', severity: 'high', observables: [{ type: 'ip', value: '203.0.113.9' }], sourceId },
    });
    assert.equal(res.status, 202);
    assert.equal(res.body.alerts.length, 1);
    const [alert] = res.body.alerts;
    assert.match(alert!.id, /^[0-9a-f-]{36}$/);
    assert.match(alert!.caseId, /^[0-9a-f-]{36}$/);
    assert.equal(alert!.duplicate, false);

    const view = await eventually(
      async () => {
        const c = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${alert!.caseId}`, { key: tenant.key });
        return c.status === 200 && c.body.run.status === 'completed' ? c.body : undefined;
      },
      5_000,
      'the default playbook run to complete',
    );
    assert.equal(view.status, 'triaged');
    assert.equal(view.run.playbookId, 'default');
    assert.match(view.run.playbookHash, /^[0-9a-f]{64}$/);
    assert.ok(view.run.temporalUrl.endsWith(`/workflows/case-${alert!.caseId}`));
    const kinds = view.timeline.map((e) => `${e.kind}:${e.stepId ?? ''}`);
    assert.deepEqual(kinds, ['alert_joined:', 'step_finished:enrich_ip', 'status_changed:', 'run_finished:']);
    const enrichment = view.timeline.find((e) => e.stepId === 'enrich_ip')!;
    assert.equal(enrichment.data['action'], 'abuseipdb.check_ip');
    assert.equal((enrichment.data['output'] as { ip: string }).ip, '203.0.113.9');
    assert.deepEqual(
      view.run.live?.steps.map((s) => [s.stepId, s.state]),
      [
        ['enrich_ip', 'completed'],
        ['triage', 'completed'],
      ],
    );

    const calls = await http<Array<{ path: string; query: Record<string, string> }>>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=abuseipdb`);
    assert.ok(
      calls.body.some((c) => JSON.stringify(c).includes('203.0.113.9')),
      'the simulator received the reputation lookup',
    );
  });

  test('a re-sent alert with the same source id updates the alert instead of adding one', async () => {
    const body = { title: 'Repeated detection', severity: 'low', sourceId: `dup-${Date.now()}` };
    const first = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body });
    const second = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body });
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.equal(second.body.alerts[0]!.duplicate, true);
    assert.equal(second.body.alerts[0]!.id, first.body.alerts[0]!.id);
    assert.equal(second.body.alerts[0]!.caseId, first.body.alerts[0]!.caseId);
    const c = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${first.body.alerts[0]!.caseId}`, { key: tenant.key });
    assert.equal(c.body.alerts.length, 1);
    assert.equal(c.body.alerts[0]!.count, 2);
  });

  test('another tenant cannot see the case (404, not 403)', async () => {
    const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { title: 'Private', severity: 'medium' } });
    const other = await stack.createTenant();
    const seen = await http<ErrorBody>('GET', `${stack.url}/api/v1/cases/${res.body.alerts[0]!.caseId}`, { key: other.key });
    assert.equal(seen.status, 404);
    assert.equal(seen.body.error.code, 'not_found');
  });

  test('an ingest-only key posts alerts and reads nothing', async () => {
    const ingestKey = await stack.createKey(tenant.id, 'ingest');
    const posted = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: ingestKey, body: { title: 'From a webhook', severity: 'low' } });
    assert.equal(posted.status, 202);
    const read = await http<ErrorBody>('GET', `${stack.url}/api/v1/cases/${posted.body.alerts[0]!.caseId}`, { key: ingestKey });
    assert.equal(read.status, 403);
    assert.equal(read.body.error.code, 'forbidden');
  });

  describe('bad input gets a 4xx with {error:{code,message,details}} and writes nothing', () => {
    const cases: Array<{ name: string; status: number; code: string; request: () => Promise<{ status: number; body: unknown }> }> = [
      { name: 'non-JSON body', status: 400, code: 'invalid_json', request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, raw: '{"title": ' }) },
      { name: 'empty body', status: 400, code: 'invalid_json', request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, raw: '' }) },
      {
        name: 'wrong content type',
        status: 415,
        code: 'unsupported_media_type',
        request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, raw: 'title=x', contentType: 'application/x-www-form-urlencoded' }),
      },
      {
        name: 'a body over 1 MiB',
        status: 413,
        code: 'payload_too_large',
        request: () =>
          http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, raw: JSON.stringify({ title: 'big', severity: 'low', description: 'x'.repeat(1_100_000) }) }),
      },
      {
        name: 'missing title',
        status: 400,
        code: 'invalid_alert',
        request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { severity: 'high' } }),
      },
      {
        name: 'mistyped severity',
        status: 400,
        code: 'invalid_alert',
        request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { title: 'x', severity: { level: 'high' } } }),
      },
      {
        name: 'mistyped observables',
        status: 400,
        code: 'invalid_alert',
        request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: { title: 'x', severity: 'low', observables: 'not-a-list' } }),
      },
      {
        name: 'a __proto__ key',
        status: 400,
        code: 'forbidden_key',
        request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, raw: '{"title":"x","severity":"low","__proto__":{"polluted":true}}' }),
      },
      {
        name: 'an unknown source path',
        status: 404,
        code: 'unknown_source',
        request: () => http('POST', `${stack.url}/api/v1/alerts/nosuchsource`, { key: tenant.key, body: { title: 'x' } }),
      },
      { name: 'no API key', status: 401, code: 'unauthorized', request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { body: { title: 'x', severity: 'low' } }) },
      {
        name: 'an invalid API key',
        status: 401,
        code: 'unauthorized',
        request: () => http('POST', `${stack.url}/api/v1/alerts/generic`, { key: 'vgl_nope', body: { title: 'x', severity: 'low' } }),
      },
    ];
    for (const c of cases) {
      test(c.name, async () => {
        const before: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM alerts WHERE tenant_id = $1', [tenant.id]);
        const res = await c.request();
        assert.equal(res.status, c.status, JSON.stringify(res.body));
        const body = res.body as ErrorBody;
        assert.equal(body.error.code, c.code);
        assert.equal(typeof body.error.message, 'string');
        assert.equal(typeof body.error.details, 'object');
        const afterRows: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM alerts WHERE tenant_id = $1', [tenant.id]);
        assert.equal(afterRows[0]!.n, before[0]!.n);
      });
    }
  });

  test('health: /healthz is alive and /readyz sees PostgreSQL and Temporal', async () => {
    const alive = await http<{ status: string }>('GET', `${stack.url}/healthz`);
    assert.equal(alive.status, 200);
    const ready = await http<{ postgres: boolean; temporal: boolean }>('GET', `${stack.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual([ready.body.postgres, ready.body.temporal], [true, true]);
  });
});
