import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { LoggerService } from '@nestjs/common';
import { fixturePath, readFixtureJson } from '../support/fixtures.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack } from '../support/stack.js';

interface IngestBody {
  source: string;
  alerts: Array<{ index: number; id: string; caseId: string; duplicate: boolean }>;
  errors?: Array<{ index: number; code: string; message: string }>;
}
interface CaseBody {
  id: string;
  source: string;
  alertCount: number;
  run: { status: string };
  alerts: Array<{ id: string; source: string; sourceUid: string; count: number }>;
}

/** Each fixture, the source Vigil must detect, and the dedup key its normaliser must produce. */
const FIXTURES: Array<{ file: string; source: string; uid: string }> = [
  { file: 'crowdstrike_stream_detection_summary.json', source: 'crowdstrike', uid: 'ldt:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:98765432109' },
  { file: 'elastic_kibana_webhook_body.json', source: 'elastic', uid: '6c1f0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a' },
  { file: 'gcp_scc_notification_decoded.json', source: 'gcp-scc', uid: 'organizations/123456789012/sources/9876543210987654321/findings/8f7e6d5c4b3a29180716253443526170' },
  { file: 'guardduty_eventbridge.json', source: 'guardduty', uid: 'a2c4e6f8b0d2f4a6c8e0a2c4e6f8b0d2' },
  { file: 'mde_alert_legacy.json', source: 'defender', uid: 'da638765432109876543_-1234567890' },
  { file: 'msgraph_alert_v2.json', source: 'graph', uid: 'da638765432109876543_-1234567890' },
  { file: 'ocsf_detection_finding.json', source: 'ocsf', uid: 'ldt:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:98765432109' },
  { file: 'sentinel_incident.json', source: 'sentinel', uid: '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d' },
  { file: 'splunk_webhook.json', source: 'splunk', uid: 'scheduler__admin__search__RMD5a1b2c3d4e5f6a7b8_at_1772446500_1234:50339db2589504d2' },
  { file: 'suricata_eve_alert.json', source: 'suricata', uid: '1805461738637437:2024897' },
  { file: 'wazuh_alert.json', source: 'wazuh', uid: '1772446492.8812345' },
];

/** Catches what the API logs, to see what an operator would read. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown): void {
    this.lines.push(String(message));
  }
}

describe('every source over HTTP, with its fixture from ../shared/fixtures/alerts', () => {
  let stack: TestStack;
  let worker: RunningWorker;
  const logs = new CapturingLogger();

  before(async () => {
    stack = await startTestStack();
    stack.api.useLogger(logs);
    worker = await stack.startWorker();
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  const post = (key: string, path: string, body: unknown) => http<IngestBody>('POST', `${stack.url}/api/v1/alerts${path}`, { key, body });

  for (const f of FIXTURES) {
    test(`${f.source}: POST /api/v1/alerts detects it, stores it and opens a case; POST /api/v1/alerts/${f.source} again is the same alert`, async () => {
      const tenant = await stack.createTenant();
      const fixture = readFixtureJson('alerts', f.file);
      const res = await post(tenant.key, '', fixture);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.source, f.source);
      assert.equal(res.body.alerts.length, 1);
      assert.equal(res.body.alerts[0]!.duplicate, false);
      assert.equal(res.body.errors, undefined);
      const view = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${res.body.alerts[0]!.caseId}`, { key: tenant.key });
      assert.equal(view.status, 200);
      assert.equal(view.body.source, f.source);
      assert.equal(view.body.alertCount, 1);
      assert.deepEqual(
        view.body.alerts.map((a) => [a.id, a.source, a.sourceUid, a.count]),
        [[res.body.alerts[0]!.id, f.source, f.uid, 1]],
      );

      const again = await post(tenant.key, `/${f.source}`, fixture);
      assert.equal(again.status, 202);
      assert.equal(again.body.source, f.source);
      assert.deepEqual(
        again.body.alerts.map((a) => [a.id, a.caseId, a.duplicate]),
        [[res.body.alerts[0]!.id, res.body.alerts[0]!.caseId, true]],
      );
    });
  }

  test('the case of an ingested fixture runs its playbook to the end', async () => {
    const tenant = await stack.createTenant();
    const res = await post(tenant.key, '/guardduty', readFixtureJson('alerts', 'guardduty_eventbridge.json'));
    assert.equal(res.status, 202);
    const view = await eventually(
      async () => {
        const c = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${res.body.alerts[0]!.caseId}`, { key: tenant.key });
        return c.body.run.status === 'completed' ? c.body : undefined;
      },
      15_000,
      'the guardduty case run to complete',
    );
    assert.equal(view.run.status, 'completed');
  });

  describe('wrappers', () => {
    const guardduty = readFixtureJson('alerts', 'guardduty_eventbridge.json');
    const topic = 'arn:aws:sns:eu-west-1:123456789012:guardduty-findings';

    test('GuardDuty inside an SNS Notification, posted as text/plain (as SNS does)', async () => {
      const tenant = await stack.createTenant();
      const envelope = {
        Type: 'Notification',
        MessageId: '6f1c2b0e-0000-4000-8000-000000000001',
        TopicArn: topic,
        Message: JSON.stringify(guardduty),
        Timestamp: '2026-03-02T10:16:00.000Z',
        SignatureVersion: '1',
        Signature: 'c2lnbmF0dXJl',
        SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
      };
      for (const path of ['/guardduty', '']) {
        const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts${path}`, {
          key: tenant.key,
          raw: JSON.stringify(envelope),
          contentType: 'text/plain; charset=UTF-8',
        });
        assert.equal(res.status, 202, JSON.stringify(res.body));
        assert.equal(res.body.source, 'guardduty');
        assert.equal(res.body.alerts.length, 1);
      }
      const rows: Array<{ source_uid: string; count: number }> = await stack.db.query('SELECT source_uid, count FROM alerts WHERE tenant_id = $1', [tenant.id]);
      assert.deepEqual(rows, [{ source_uid: 'a2c4e6f8b0d2f4a6c8e0a2c4e6f8b0d2', count: 2 }]);
    });

    test('an SNS SubscriptionConfirmation is acknowledged with 200, stores nothing, and the SubscribeURL is logged for the operator', async () => {
      const tenant = await stack.createTenant();
      const subscribeUrl = `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topic)}&Token=2336412f37fb687f5d51e6e2425f004a`;
      const confirmation = {
        Type: 'SubscriptionConfirmation',
        MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
        Token: '2336412f37fb687f5d51e6e2425f004a',
        TopicArn: topic,
        Message: `You have chosen to subscribe to the topic ${topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: subscribeUrl,
        Timestamp: '2026-03-02T10:00:00.000Z',
        SignatureVersion: '1',
        Signature: 'c2lnbmF0dXJl',
        SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000.pem',
      };
      const res = await http<{ acknowledged: string; message: string }>('POST', `${stack.url}/api/v1/alerts/guardduty`, {
        key: tenant.key,
        raw: JSON.stringify(confirmation),
        contentType: 'text/plain; charset=UTF-8',
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.acknowledged, 'sns_subscription_confirmation');
      const counts: Array<{ alerts: number; cases: number; outbox: number }> = await stack.db.query(
        `SELECT (SELECT count(*)::int FROM alerts WHERE tenant_id = $1) AS alerts, (SELECT count(*)::int FROM cases WHERE tenant_id = $1) AS cases,
                (SELECT count(*)::int FROM outbox WHERE tenant_id = $1) AS outbox`,
        [tenant.id],
      );
      assert.deepEqual(counts[0], { alerts: 0, cases: 0, outbox: 0 });
      const line = logs.lines.find((l) => l.includes(tenant.slug) && l.includes('sns_subscription_confirmation'));
      assert.ok(line, 'the confirmation is logged');
      assert.ok(line.includes(subscribeUrl), `the log line names the SubscribeURL: ${line}`);
    });

    test('a Google SCC finding in a Pub/Sub push (base64 message.data)', async () => {
      const tenant = await stack.createTenant();
      const scc = readFixtureJson('alerts', 'gcp_scc_notification_decoded.json');
      const push = {
        message: { data: Buffer.from(JSON.stringify(scc)).toString('base64'), messageId: '9876543210123', publishTime: '2026-03-02T10:15:00.000Z' },
        subscription: 'projects/prod-sec/subscriptions/vigil-scc',
      };
      for (const path of ['', '/gcp-scc']) {
        const res = await post(tenant.key, path, push);
        assert.equal(res.status, 202, JSON.stringify(res.body));
        assert.equal(res.body.source, 'gcp-scc');
      }
      const rows: Array<{ source_uid: string; count: number }> = await stack.db.query('SELECT source_uid, count FROM alerts WHERE tenant_id = $1', [tenant.id]);
      assert.deepEqual(rows, [{ source_uid: 'organizations/123456789012/sources/9876543210987654321/findings/8f7e6d5c4b3a29180716253443526170', count: 2 }]);
    });

    test("Wazuh's integration body with the alert under all_fields", async () => {
      const tenant = await stack.createTenant();
      const wazuh = readFixtureJson('alerts', 'wazuh_alert.json') as Record<string, unknown>;
      const res = await post(tenant.key, '', { timestamp: wazuh['timestamp'], id: wazuh['id'], all_fields: wazuh });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.equal(res.body.source, 'wazuh');
      const rows: Array<{ source_uid: string }> = await stack.db.query('SELECT source_uid FROM alerts WHERE tenant_id = $1', [tenant.id]);
      assert.deepEqual(rows, [{ source_uid: '1772446492.8812345' }]);
    });

    test('a Kibana connector template listing two alerts under context.alerts: two alerts', async () => {
      const tenant = await stack.createTenant();
      const body = readFixtureJson('alerts', 'elastic_kibana_webhook_body.json') as { alerts: Array<Record<string, unknown>> };
      const first = body.alerts[0]!;
      const second = structuredClone(first) as Record<string, unknown> & { kibana?: { alert?: { uuid?: string } } };
      if (second.kibana?.alert) second.kibana.alert.uuid = 'second-alert-uuid-0001';
      else second['kibana.alert.uuid'] = 'second-alert-uuid-0001';
      const res = await post(tenant.key, '/elastic', { context: { alerts: [first, second] } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.alerts.map((a) => [a.index, a.duplicate]),
        [
          [0, false],
          [1, false],
        ],
      );
      const rows: Array<{ source_uid: string }> = await stack.db.query('SELECT source_uid FROM alerts WHERE tenant_id = $1 ORDER BY source_uid', [tenant.id]);
      assert.deepEqual(
        rows.map((r) => r.source_uid),
        ['6c1f0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a', 'second-alert-uuid-0001'],
      );
    });

    test('Suricata EVE as NDJSON: only event_type alert lines become alerts', async () => {
      const tenant = await stack.createTenant();
      const alertLine = readFileSync(fixturePath('alerts', 'suricata_eve_alert.json'), 'utf8')
        .replace(/\s*\n\s*/g, ' ')
        .trim();
      const flow = JSON.stringify({
        timestamp: '2026-03-02T10:14:59.000000+0000',
        flow_id: 1805461738637437,
        event_type: 'flow',
        src_ip: '10.1.4.142',
        dest_ip: '203.0.113.50',
        proto: 'TCP',
      });
      const dns = JSON.stringify({
        timestamp: '2026-03-02T10:15:01.000000+0000',
        flow_id: 991,
        event_type: 'dns',
        src_ip: '10.1.4.142',
        dest_ip: '10.1.0.53',
        dns: { type: 'query', rrname: 'example.org' },
      });
      for (const path of ['/suricata', '']) {
        const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts${path}`, {
          key: tenant.key,
          raw: `${flow}\n${alertLine}\n${dns}\n`,
          contentType: 'application/x-ndjson',
        });
        assert.equal(res.status, 202, JSON.stringify(res.body));
        assert.equal(res.body.source, 'suricata');
        assert.equal(res.body.alerts.length, 1);
      }
      const rows: Array<{ source_uid: string; count: number }> = await stack.db.query('SELECT source_uid, count FROM alerts WHERE tenant_id = $1', [tenant.id]);
      assert.deepEqual(rows, [{ source_uid: '1805461738637437:2024897', count: 2 }]);
    });

    test('generic: one alert, a list, and {alerts: [...]}', async () => {
      const tenant = await stack.createTenant();
      const one = { title: 'Impossible travel for jdoe', severity: 'high', sourceId: 'travel-1', user: 'jdoe' };
      const a = await post(tenant.key, '', one);
      assert.equal(a.status, 202);
      assert.equal(a.body.source, 'generic');
      const list = await post(tenant.key, '/generic', [
        { ...one, sourceId: 'travel-2' },
        { ...one, sourceId: 'travel-3' },
      ]);
      assert.deepEqual(
        list.body.alerts.map((x) => [x.index, x.duplicate]),
        [
          [0, false],
          [1, false],
        ],
      );
      const wrapped = await post(tenant.key, '/generic', {
        alerts: [
          { ...one, sourceId: 'travel-3' },
          { ...one, sourceId: 'travel-4' },
        ],
      });
      assert.deepEqual(
        wrapped.body.alerts.map((x) => x.duplicate),
        [true, false],
      );
      // Same user, same rule (title), same source: all four alerts are one case.
      const cases = new Set([a, list, wrapped].flatMap((r) => r.body.alerts.map((x) => x.caseId)));
      assert.equal(cases.size, 1);
      const rows: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM alerts WHERE tenant_id = $1', [tenant.id]);
      assert.equal(rows[0]!.n, 4);
    });
  });
});
