import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFixtureJson } from '../support/fixtures.js';
import { http, type HttpResult, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface IngestBody {
  source: string;
  alerts: Array<{ index: number; id: string; caseId: string; duplicate: boolean }>;
  errors?: Array<{ index: number; code: string; message: string; details?: Record<string, unknown> }>;
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** Small limits so the tests can reach them: both are environment variables. */
const MAX_BODY = 64 * 1024;
const MAX_BATCH = 5;

const good = (n: number) => ({ title: 'Good alert', severity: 'medium', sourceId: `good-${n}`, host: 'ws-0001' });
const suricataLine = (flowId: number) =>
  JSON.stringify({
    timestamp: '2026-03-02T10:15:02.123456+0000',
    flow_id: flowId,
    event_type: 'alert',
    src_ip: '10.1.4.142',
    dest_ip: '203.0.113.50',
    proto: 'TCP',
    alert: { signature_id: 2024897, signature: 'ET MALWARE test signature', severity: 1, category: 'A Network Trojan was detected' },
  });

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('bad input: 4xx with the error shape, never a 500, nothing half-written', () => {
  let stack: TestStack;
  let worker: RunningWorker;
  let tenant: TestTenant;

  before(async () => {
    stack = await startTestStack({ VIGIL_MAX_BODY_BYTES: String(MAX_BODY), VIGIL_MAX_BATCH_ALERTS: String(MAX_BATCH) });
    worker = await stack.startWorker();
    tenant = await stack.createTenant();
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  async function counts(tenantId: string): Promise<{ alerts: number; cases: number; outbox: number }> {
    const rows: Array<{ alerts: number; cases: number; outbox: number }> = await stack.db.query(
      `SELECT (SELECT count(*)::int FROM alerts WHERE tenant_id = $1) AS alerts, (SELECT count(*)::int FROM cases WHERE tenant_id = $1) AS cases,
              (SELECT count(*)::int FROM outbox WHERE tenant_id = $1) AS outbox`,
      [tenantId],
    );
    return rows[0]!;
  }

  const post = (path: string, options: { body?: unknown; raw?: string; contentType?: string }) =>
    http<unknown>('POST', `${stack.url}/api/v1/alerts${path}`, { key: tenant.key, ...options });

  const refused: Array<{ name: string; status: number; code: string; send: () => Promise<HttpResult>; details?: Record<string, unknown> }> = [
    { name: 'unparseable JSON', status: 400, code: 'invalid_json', send: () => post('/generic', { raw: '{"title": "x", "severity": ' }) },
    { name: 'unparseable JSON, auto-detect', status: 400, code: 'invalid_json', send: () => post('', { raw: '{"title" "x"}' }) },
    { name: 'a number instead of an alert', status: 400, code: 'unrecognized_payload', send: () => post('/generic', { raw: '42' }) },
    { name: 'null instead of an alert', status: 400, code: 'unrecognized_payload', send: () => post('/generic', { raw: 'null' }) },
    { name: 'a JSON string instead of an alert', status: 400, code: 'unrecognized_payload', send: () => post('', { raw: '"an alert, honestly"' }) },
    { name: 'a list of non-objects', status: 400, code: 'invalid_alert', send: () => post('/generic', { body: [null, [], 7] }) },
    { name: 'wrong types inside an alert', status: 400, code: 'invalid_alert', send: () => post('/generic', { body: { title: ['x'], severity: 'high' } }) },
    { name: 'a payload of none of the known shapes', status: 400, code: 'unrecognized_payload', send: () => post('', { body: { hello: 'world', n: 1 } }) },
    {
      name: 'a GuardDuty path with a Splunk body',
      status: 400,
      code: 'unrecognized_payload',
      send: () => post('/guardduty', { body: readFixtureJson('alerts', 'splunk_webhook.json') }),
    },
    {
      name: `a body over the configured ${MAX_BODY} bytes`,
      status: 413,
      code: 'payload_too_large',
      send: () => post('/generic', { body: { title: 'big', severity: 'low', description: 'x'.repeat(MAX_BODY) } }),
    },
    {
      name: `a list of ${MAX_BATCH + 1} alerts (limit ${MAX_BATCH})`,
      status: 400,
      code: 'too_many_alerts',
      details: { count: MAX_BATCH + 1, limit: MAX_BATCH },
      send: () => post('/generic', { body: Array.from({ length: MAX_BATCH + 1 }, (_, i) => good(100 + i)) }),
    },
    {
      // Refused by counting, before any item is normalised: these items would each fail normalising.
      name: 'too many items is refused before normalising them',
      status: 400,
      code: 'too_many_alerts',
      details: { count: 50, limit: MAX_BATCH },
      send: () => post('', { body: { alerts: Array.from({ length: 50 }, () => ({})) } }),
    },
    {
      name: 'too many NDJSON lines',
      status: 400,
      code: 'too_many_alerts',
      details: { count: MAX_BATCH + 2, limit: MAX_BATCH },
      send: () => post('/suricata', { raw: Array.from({ length: MAX_BATCH + 2 }, (_, i) => suricataLine(9000 + i)).join('\n'), contentType: 'application/x-ndjson' }),
    },
    { name: 'absurd nesting (200 levels)', status: 400, code: 'too_deep', send: () => post('/generic', { raw: `{"title":"x","severity":"low","extra":${nested(200)}}` }) },
    { name: 'absurd nesting of lists, auto-detect', status: 400, code: 'too_deep', send: () => post('', { raw: `${'['.repeat(5000)}${']'.repeat(5000)}` }) },
    { name: 'a __proto__ key', status: 400, code: 'forbidden_key', send: () => post('/generic', { raw: '{"title":"x","severity":"low","__proto__":{"isAdmin":true}}' }) },
    {
      name: 'a constructor key deep inside',
      status: 400,
      code: 'forbidden_key',
      details: { path: '$.observables[0].constructor' },
      send: () => post('', { raw: '{"title":"x","severity":"low","observables":[{"type":"ip","value":"198.51.100.1","constructor":{"prototype":{}}}]}' }),
    },
    {
      name: 'a prototype key in a vendor payload',
      status: 400,
      code: 'forbidden_key',
      send: () => post('/splunk', { raw: '{"sid":"1","result":{"prototype":{"x":1}},"search_name":"s"}' }),
    },
    {
      name: 'form data',
      status: 415,
      code: 'unsupported_media_type',
      send: () => post('/generic', { raw: 'title=x&severity=low', contentType: 'application/x-www-form-urlencoded' }),
    },
    {
      name: 'text to a JSON-only source',
      status: 415,
      code: 'unsupported_media_type',
      send: () => post('/generic', { raw: '{"title":"x","severity":"low"}', contentType: 'text/plain' }),
    },
  ];

  for (const c of refused) {
    test(`${c.name} → ${c.status} ${c.code}`, async () => {
      const before = await counts(tenant.id);
      const res = await c.send();
      assert.equal(res.status, c.status, JSON.stringify(res.body).slice(0, 500));
      const body = res.body as ErrorBody;
      assert.equal(body.error.code, c.code);
      assert.equal(typeof body.error.message, 'string');
      assert.equal(typeof body.error.details, 'object');
      for (const [k, v] of Object.entries(c.details ?? {})) assert.deepEqual(body.error.details[k], v, `details.${k}`);
      assert.deepEqual(await counts(tenant.id), before, 'nothing written');
    });
  }

  test('junk of every kind never gets a 500', async () => {
    const junk: Array<{ raw: string; contentType?: string; path?: string }> = [
      { raw: '{}' },
      { raw: '[]' },
      { raw: '[{}]' },
      { raw: '{"alerts":null}' },
      { raw: '{"alerts":{"new":{"data":"x"}}}', path: '/elastic' },
      { raw: '{"value":[1,2,3]}', path: '/graph' },
      { raw: '{"Type":"Notification","TopicArn":"arn:aws:sns:x","Message":"{not json"}', path: '/guardduty' },
      { raw: '{"message":{"data":"!!!not base64!!!"},"subscription":"s"}', path: '/gcp-scc' },
      { raw: '{"metadata":{"eventType":"DetectionSummaryEvent"},"event":null}', path: '/crowdstrike' },
      { raw: '\u0000\u0001\u0002', contentType: 'text/plain', path: '/suricata' },
      { raw: '{"all_fields":{"rule":{"level":"high"}}}', path: '/wazuh' },
      { raw: '{"class_uid":2004}', path: '/ocsf' },
      { raw: '{"sid":12,"result":[]}', path: '/splunk' },
      { raw: '\n\n\n', contentType: 'application/x-ndjson', path: '/suricata' },
      { raw: JSON.stringify({ title: 'x'.repeat(50_000), severity: 'low' }) },
    ];
    const before = await counts(tenant.id);
    for (const j of junk) {
      const res = await post(j.path ?? '', { raw: j.raw, contentType: j.contentType });
      assert.ok(res.status < 500, `${j.path ?? ''} ${j.raw.slice(0, 60)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (res.status >= 400) assert.equal(typeof (res.body as ErrorBody).error.code, 'string');
    }
    // Only the one valid alert of the list (the long title) was stored.
    const afterRows = await counts(tenant.id);
    assert.equal(afterRows.alerts - before.alerts, 1);
  });

  describe('a batch with bad items stores the good ones and reports each bad one by its index', () => {
    test('generic list', async () => {
      const t = await stack.createTenant();
      const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, {
        key: t.key,
        body: [good(1), { severity: 'high' }, good(2), { title: 'x', severity: 'severe' }],
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.alerts.map((a) => a.index),
        [0, 2],
      );
      assert.deepEqual(
        res.body.errors?.map((e) => [e.index, e.code, e.details?.['path']]),
        [
          [1, 'invalid_alert', 'title'],
          [3, 'invalid_alert', 'severity'],
        ],
      );
      assert.ok(res.body.errors!.every((e) => typeof e.message === 'string' && e.message.length > 0));
      const stored = await counts(t.id);
      assert.deepEqual([stored.alerts, stored.cases], [2, 1]);
    });

    test('Elastic list of alerts', async () => {
      const t = await stack.createTenant();
      const fixture = readFixtureJson('alerts', 'elastic_kibana_webhook_body.json') as { alerts: unknown[] };
      const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts`, {
        key: t.key,
        body: { ...fixture, alerts: [{ 'kibana.alert.rule.name': 'no id' }, fixture.alerts[0], 17] },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.source, 'elastic');
      assert.deepEqual(
        res.body.alerts.map((a) => a.index),
        [1],
      );
      assert.deepEqual(
        res.body.errors?.map((e) => [e.index, e.code]),
        [
          [0, 'invalid_alert'],
          [2, 'unrecognized_payload'],
        ],
      );
      assert.equal((await counts(t.id)).alerts, 1);
    });

    test('Suricata NDJSON with a broken line and a line with a __proto__ key', async () => {
      const t = await stack.createTenant();
      const raw = [suricataLine(501), '{"event_type":"alert", "flow_id": ', suricataLine(502), '{"event_type":"alert","__proto__":{"x":1}}', suricataLine(503)].join('\n');
      const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/suricata`, { key: t.key, raw, contentType: 'application/x-ndjson' });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.alerts.map((a) => a.index),
        [0, 2, 4],
      );
      assert.deepEqual(
        res.body.errors?.map((e) => [e.index, e.code, e.details?.['line'], e.details?.['reason']]),
        [
          [1, 'invalid_alert', 2, 'invalid_json'],
          [3, 'invalid_alert', 4, 'forbidden_key'],
        ],
      );
      const rows: Array<{ source_uid: string }> = await stack.db.query('SELECT source_uid FROM alerts WHERE tenant_id = $1 ORDER BY source_uid', [t.id]);
      assert.deepEqual(
        rows.map((r) => r.source_uid),
        ['501:2024897', '502:2024897', '503:2024897'],
      );
    });

    test('a batch whose every item is bad is a 400 listing each, and stores nothing', async () => {
      const t = await stack.createTenant();
      const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: t.key, body: [{ severity: 'high' }, { title: 'x' }] });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'invalid_alert');
      assert.deepEqual(
        (res.body.error.details['errors'] as Array<{ index: number }>).map((e) => e.index),
        [0, 1],
      );
      assert.deepEqual(await counts(t.id), { alerts: 0, cases: 0, outbox: 0 });
    });
  });
});
