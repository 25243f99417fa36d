import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApiKeysService } from '../../src/tenants/api-keys.service.js';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: Array<{ path: string; message: string }> } & Record<string, unknown> };
}
interface AlertSummary {
  id: string;
  source: string;
  sourceUid: string;
  title: string;
  severity: string;
  severityId: number;
  eventTime: string;
  firstSeenAt: string;
  lastSeenAt: string;
  count: number;
  caseId: string;
  rule: { uid: string | null; name: string | null } | null;
  fingerprint: string;
  links: { self: string; case: string };
}
interface AlertDetail extends AlertSummary {
  finding: { class_uid: number; finding_info: { uid: string; title: string }; severity_id: number; observables: Array<{ value: string }> };
  observables: Array<{ kind: string; value: string; name?: string; is_private?: boolean }>;
  raw: unknown;
  joinReason: { rule: string; fingerprint: string };
  changes: Array<{ at: string; count: number; fields: string[] }>;
}
interface Page {
  items: AlertSummary[];
  nextCursor: string | null;
}
interface IngestAnswer {
  source: string;
  alerts: Array<{ index: number; id: string; caseId: string; duplicate: boolean; changed?: string[] }>;
}

/** The deliveries of the filter tests, one per alert, named; each from its vendor's own shape. */
const DELIVERIES: Record<string, { source: string; body: unknown }> = {
  travel: {
    source: 'generic',
    body: {
      title: 'Impossible travel for jdoe',
      severity: 'high',
      sourceId: 'travel-1',
      time: '2026-03-01T10:00:00Z',
      host: 'ws-0142',
      user: 'jdoe',
      rule: 'impossible_travel',
      tactics: ['TA0006'],
      techniques: ['T1110.003'],
      observables: [
        { type: 'ip', value: '198.51.100.77' },
        { type: 'email', value: 'J.Doe@Corp.Example' },
      ],
    },
  },
  beacon: {
    source: 'generic',
    body: {
      title: 'Script beacon',
      severity: 'low',
      sourceId: 'beacon-1',
      time: '2026-03-01T11:00:00Z',
      host: 'SRV-01',
      rule: 'beacon',
      tactics: ['TA0002'],
      techniques: ['T1059'],
      observables: [{ type: 'domain', value: 'Evil.Example' }],
    },
  },
  powershell: {
    source: 'generic',
    body: {
      title: 'PowerShell download cradle',
      severity: 'critical',
      sourceId: 'ps-1',
      time: '2026-03-02T09:00:00Z',
      user: 'Bob',
      rule: 'ps_download',
      techniques: ['T1059.001'],
    },
  },
  suricata: {
    source: 'suricata',
    body: {
      timestamp: '2026-03-02T11:14:52.318262+0100',
      flow_id: 1805461738637437,
      event_type: 'alert',
      src_ip: '10.1.4.142',
      src_port: 50544,
      dest_ip: '203.0.113.66',
      dest_port: 80,
      proto: 'TCP',
      host: 'ids-sensor-01',
      alert: {
        action: 'allowed',
        gid: 1,
        signature_id: 2024897,
        rev: 4,
        signature: 'ET MALWARE Suspicious PowerShell Stage2 Download',
        category: 'A Network Trojan was detected',
        severity: 1,
        metadata: { mitre_tactic_id: ['TA0011'], mitre_technique_id: ['T1105'] },
      },
      http: { hostname: 'cdn.bad-example.net', url: '/stage2.ps1', http_method: 'GET', status: 200 },
      app_proto: 'http',
    },
  },
  splunk: {
    source: 'splunk',
    body: {
      result: {
        _time: '1772446530',
        host: 'fw-edge-01',
        src: '198.51.100.77',
        dest: 'web-prod-03.corp.example',
        user: 'svc_deploy',
        url: 'http://malicious.example.net/payload.bin',
        signature: 'Suspicious binary download',
        severity: 'high',
      },
      sid: 'scheduler__admin__search__RMD5a1b2c3d4e5f6a7b8_at_1772446500_1234',
      results_link: 'https://splunk.example.local:8000/app/search/@go?sid=scheduler__admin__search__RMD5a1b2c3d4e5f6a7b8_at_1772446500_1234',
      search_name: 'Threat - Suspicious Binary Download - Rule',
      owner: 'admin',
      app: 'search',
    },
  },
  ocsf: {
    source: 'ocsf',
    body: {
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 3,
      time: Date.parse('2026-03-02T12:00:00Z'),
      metadata: { version: '1.8.0', product: { name: 'Detector', vendor_name: 'ACME' } },
      finding_info: {
        uid: 'ocsf-finding-1',
        title: 'Command shell from office macro',
        analytic: { uid: 'ocsf-rule-9', name: 'Office child shell', type_id: 1, type: 'Rule' },
        attacks: [{ tactic: { uid: 'TA0002', name: 'Execution' }, technique: { uid: 'T1059', name: 'Command and Scripting Interpreter' }, sub_technique: { uid: 'T1059.003' } }],
      },
      device: { hostname: 'ws-0077' },
      observables: [{ type_id: 2, type: 'IP Address', value: '192.0.2.10' }],
    },
  },
};
const NEWEST_FIRST = ['ocsf', 'splunk', 'suricata', 'powershell', 'beacon', 'travel'];

describe('alerts API over HTTP', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let viewer: string;
  const ids: Record<string, string> = {};
  const cases: Record<string, string> = {};
  const url = (path: string): string => `${stack.url}/api/v1${path}`;
  const list = (query: string, key = tenant.key, headers?: Record<string, string>) => http<Page>('GET', `${url('/alerts')}?${query}`, { key, headers });
  const names = (page: Page): string[] => page.items.map((a) => Object.keys(ids).find((k) => ids[k] === a.id) ?? `?${a.title}`);

  const ingest = async (key: string, source: string, body: unknown): Promise<IngestAnswer> => {
    const res = await http<IngestAnswer>('POST', url(`/alerts/${source}`), { key, body });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    stack = await startTestStack({ VIGIL_OUTBOX_ENABLED: 'false' });
    tenant = await stack.createTenant();
    viewer = await stack.createKey(tenant.id, 'viewer');
    const ingestKey = await stack.createKey(tenant.id, 'ingest');
    for (const [name, d] of Object.entries(DELIVERIES)) {
      const answer = await ingest(ingestKey, d.source, d.body);
      assert.equal(answer.alerts.length, 1, name);
      ids[name] = answer.alerts[0]!.id;
      cases[name] = answer.alerts[0]!.caseId;
    }
  });
  after(async () => {
    await stack?.stop();
  });

  describe('GET /alerts: filters', () => {
    const filters: Array<{ query: string; expected: string[] }> = [
      { query: '', expected: NEWEST_FIRST },
      { query: 'source=generic', expected: ['powershell', 'beacon', 'travel'] },
      { query: 'source=splunk,suricata', expected: ['splunk', 'suricata'] },
      { query: 'source=ocsf&source=generic', expected: ['ocsf', 'powershell', 'beacon', 'travel'] },
      { query: 'source=elastic', expected: [] },
      { query: 'from=2026-03-02T00:00:00Z', expected: ['ocsf', 'splunk', 'suricata', 'powershell'] },
      { query: 'to=2026-03-02T00:00:00Z', expected: ['beacon', 'travel'] },
      // `to` is exclusive: the Splunk alert's event time is exactly 10:15:30.
      { query: 'from=2026-03-02T09:00:00Z&to=2026-03-02T10:15:30Z', expected: ['suricata', 'powershell'] },
      { query: 'from=2026-03-02T11:15:30%2B01:00', expected: ['ocsf', 'splunk'] },
      { query: 'minSeverity=high', expected: ['splunk', 'suricata', 'powershell', 'travel'] },
      { query: 'minSeverity=Critical', expected: ['powershell'] },
      { query: 'minSeverity=5', expected: ['powershell'] },
      { query: 'minSeverity=3', expected: ['ocsf', 'splunk', 'suricata', 'powershell', 'travel'] },
      { query: 'minSeverity=0', expected: NEWEST_FIRST },
      { query: 'rule=impossible_travel', expected: ['travel'] },
      { query: 'rule=Impossible_Travel', expected: [] },
      { query: 'rule=Threat%20-%20Suspicious%20Binary%20Download%20-%20Rule', expected: ['splunk'] },
      { query: 'rule=ocsf-rule-9', expected: ['ocsf'] },
      { query: 'rule=Office%20child%20shell', expected: ['ocsf'] },
      { query: 'rule=2024897', expected: ['suricata'] },
      { query: 'observable=198.51.100.77', expected: ['splunk', 'travel'] },
      { query: 'observable=198.51.100.7', expected: [] },
      { query: 'observable=EVIL.example', expected: ['beacon'] },
      { query: 'observable=srv-01', expected: ['beacon'] },
      { query: 'observable=j.doe%40corp.example', expected: ['travel'] },
      { query: 'observable=Bob', expected: ['powershell'] },
      { query: 'observable=bob', expected: [] },
      { query: 'observable=cdn.bad-example.net', expected: ['suricata'] },
      { query: 'attack=T1059', expected: ['ocsf', 'powershell', 'beacon'] },
      { query: 'attack=t1059.001', expected: ['powershell'] },
      { query: 'attack=T1059.003', expected: ['ocsf'] },
      { query: 'attack=T1105', expected: ['suricata'] },
      { query: 'attack=TA0002', expected: ['ocsf', 'beacon'] },
      { query: 'attack=T1110', expected: ['travel'] },
      { query: 'attack=T1566', expected: [] },
      { query: 'source=generic&attack=T1059', expected: ['powershell', 'beacon'] },
      { query: 'attack=T1059&rule=beacon', expected: ['beacon'] },
      { query: 'observable=198.51.100.77&minSeverity=high&source=generic', expected: ['travel'] },
    ];
    for (const f of filters) {
      test(`?${f.query || '(no filter)'} returns exactly the matching alerts, newest event first`, async () => {
        const res = await list(f.query);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(names(res.body), f.expected);
      });
    }

    test('?case= returns the alerts of that case only', async () => {
      const res = await list(`case=${cases['beacon']}`);
      assert.equal(res.status, 200);
      assert.deepEqual(names(res.body), ['beacon']);
      assert.deepEqual(names((await list(`case=${randomUUID()}`)).body), []);
    });

    test('an item carries the summary fields and its links', async () => {
      const res = await list('rule=impossible_travel', viewer);
      assert.equal(res.status, 200);
      const item = res.body.items[0]!;
      assert.deepEqual(
        { ...item, firstSeenAt: undefined, lastSeenAt: undefined, fingerprint: undefined },
        {
          id: ids['travel'],
          source: 'generic',
          sourceUid: 'travel-1',
          title: 'Impossible travel for jdoe',
          severity: 'high',
          severityId: 4,
          eventTime: '2026-03-01T10:00:00.000Z',
          firstSeenAt: undefined,
          lastSeenAt: undefined,
          count: 1,
          caseId: cases['travel'],
          rule: { uid: null, name: 'impossible_travel' },
          fingerprint: undefined,
          links: { self: `/api/v1/alerts/${ids['travel']}`, case: `/api/v1/cases/${cases['travel']}` },
        },
      );
      assert.match(item.fingerprint, /^[0-9a-f]{32}$/);
      assert.ok(Date.parse(item.firstSeenAt) > Date.parse('2026-01-01T00:00:00Z'));
      const suricata = (await list('source=suricata')).body.items[0]!;
      assert.deepEqual(suricata.rule, { uid: '2024897', name: 'ET MALWARE Suspicious PowerShell Stage2 Download' });
      assert.equal(suricata.eventTime, '2026-03-02T10:14:52.318Z');
    });
  });

  describe('GET /alerts/{id}', () => {
    test('answers the OCSF finding, the raw payload as received, the join reason and links', async () => {
      const res = await http<AlertDetail>('GET', url(`/alerts/${ids['travel']}`), { key: viewer });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.id, ids['travel']);
      assert.equal(res.body.finding.class_uid, 2004);
      assert.equal(res.body.finding.finding_info.uid, 'travel-1');
      assert.ok(res.body.finding.observables.some((o) => o.value === '198.51.100.77'));
      assert.deepEqual(res.body.raw, DELIVERIES['travel']!.body);
      // Vigil's view beside the finding: the precise kind, and the path in the finding that holds each value.
      const ip = res.body.observables.find((o) => o.value === '198.51.100.77');
      assert.deepEqual([ip?.kind, ip?.is_private], ['ip', false]);
      for (const o of res.body.observables) assert.ok(o.name !== undefined && JSON.stringify(res.body.finding).includes(JSON.stringify(o.value)), `${o.name} holds ${o.value}`);
      assert.equal(res.body.joinReason.rule, 'new_case');
      assert.equal(res.body.joinReason.fingerprint, res.body.fingerprint);
      assert.deepEqual(res.body.changes, []);
      assert.deepEqual(res.body.links, { self: `/api/v1/alerts/${ids['travel']}`, case: `/api/v1/cases/${cases['travel']}` });
      const suricata = await http<AlertDetail>('GET', url(`/alerts/${ids['suricata']}`), { key: viewer });
      assert.deepEqual(suricata.body.raw, DELIVERIES['suricata']!.body, 'the vendor item, not the normalised finding');
    });

    test('the case view links each alert to its full view, and the link answers', async () => {
      const view = await http<{ alerts: Array<{ id: string; links: { self: string } }> }>('GET', url(`/cases/${cases['beacon']}`), { key: viewer });
      assert.equal(view.status, 200);
      assert.deepEqual(
        view.body.alerts.map((a) => a.links),
        [{ self: `/api/v1/alerts/${ids['beacon']}` }],
      );
      const followed = await http<AlertDetail>('GET', `${stack.url}${view.body.alerts[0]!.links.self}`, { key: viewer });
      assert.equal(followed.status, 200);
      assert.equal(followed.body.title, 'Script beacon');
    });

    test('an unknown id answers 404 not_found; a malformed id 400 naming the parameter', async () => {
      const unknown = await http<ErrorBody>('GET', url(`/alerts/${randomUUID()}`), { key: viewer });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'not_found');
      for (const bad of ['not-an-id', '1', `${ids['travel']}x`]) {
        const res = await http<ErrorBody>('GET', url(`/alerts/${bad}`), { key: viewer });
        assert.equal(res.status, 400, bad);
        assert.equal(res.body.error.code, 'invalid_params');
        assert.deepEqual(
          res.body.error.details.issues?.map((i) => i.path),
          ['id'],
        );
      }
    });
  });

  describe('a re-send', () => {
    test('updates the alert and is recorded in changes: when, the count after it, the fields it changed', async () => {
      const t = await stack.createTenant();
      const first = { title: 'Beacon', severity: 'medium', sourceId: 'resend-1', time: '2026-04-01T08:00:00Z', host: 'ws-9', rule: 'beacon' };
      const created = await ingest(t.key, 'generic', first);
      const id = created.alerts[0]!.id;
      const same = await ingest(t.key, 'generic', first);
      assert.equal(same.alerts[0]!.id, id);
      const changed = await ingest(t.key, 'generic', { ...first, severity: 'critical', time: '2026-04-01T09:00:00Z' });
      assert.equal(changed.alerts[0]!.duplicate, true);
      const res = await http<AlertDetail>('GET', url(`/alerts/${id}`), { key: t.key });
      assert.equal(res.status, 200);
      assert.equal(res.body.count, 3);
      assert.equal(res.body.severityId, 5);
      assert.equal(res.body.eventTime, '2026-04-01T09:00:00.000Z');
      assert.equal((res.body.raw as { severity: string }).severity, 'critical');
      assert.equal(res.body.changes.length, 1, 'the identical re-send changed nothing');
      const [change] = res.body.changes;
      assert.equal(change!.count, 3);
      assert.ok(change!.fields.includes('severity_id'), change!.fields.join(','));
      assert.ok(change!.fields.includes('time'), change!.fields.join(','));
      assert.ok(Date.parse(change!.at) >= Date.parse(res.body.firstSeenAt));
      assert.ok(Date.parse(res.body.lastSeenAt) >= Date.parse(change!.at) - 1000);
      const listed = await list('', t.key);
      assert.deepEqual(
        listed.body.items.map((a) => [a.id, a.count, a.severity]),
        [[id, 3, 'critical']],
      );
    });
  });

  describe('paging', () => {
    test('a cursor walks every alert once, newest event first with ties broken by id, without gaps or duplicates', async () => {
      const t = await stack.createTenant();
      // Nine alerts; four share one event time, so the id decides among them.
      const times = ['2026-05-01T10:00:00Z', '2026-05-01T12:00:00Z', '2026-05-01T11:00:00Z', '2026-05-01T11:00:00Z', '2026-05-01T09:00:00Z'];
      times.push('2026-05-01T11:00:00Z', '2026-05-01T08:00:00Z', '2026-05-01T11:00:00Z', '2026-05-01T13:00:00Z');
      const batch = times.map((time, i) => ({ title: `alert ${i}`, severity: 'low', sourceId: `page-${i}`, time, host: `h-${i}` }));
      const answer = await ingest(t.key, 'generic', batch);
      assert.equal(answer.alerts.length, times.length);
      const expected = answer.alerts
        .map((a) => ({ id: a.id, time: Date.parse(times[a.index]!) }))
        .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
        .map((a) => a.id);
      for (const limit of [1, 2, 4]) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const res: { status: number; body: Page } = await list(`limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, t.key);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.ok(res.body.items.length <= limit);
          seen.push(...res.body.items.map((a) => a.id));
          cursor = res.body.nextCursor;
          pages += 1;
        } while (cursor && pages < 20);
        assert.equal(pages, Math.ceil(times.length / limit), `limit ${limit}`);
        assert.deepEqual(seen, expected, `limit ${limit}`);
      }
      const filtered = await list('limit=2&from=2026-05-01T11:00:00Z&to=2026-05-01T12:00:00Z', t.key);
      assert.equal(filtered.body.items.length, 2);
      const rest = await list(`limit=2&from=2026-05-01T11:00:00Z&to=2026-05-01T12:00:00Z&cursor=${encodeURIComponent(filtered.body.nextCursor!)}`, t.key);
      assert.equal(rest.body.nextCursor, null);
      const tied = answer.alerts.filter((a) => times[a.index] === '2026-05-01T11:00:00Z').map((a) => a.id);
      assert.deepEqual(
        [...filtered.body.items, ...rest.body.items].map((a) => a.id),
        tied.sort().reverse(),
        'within a filter, the four alerts of one event time page by id',
      );
    });

    test('limit defaults to 50 and the last page has no cursor', async () => {
      const res = await list('');
      assert.equal(res.body.items.length, NEWEST_FIRST.length);
      assert.equal(res.body.nextCursor, null);
    });
  });

  describe('tenancy and roles', () => {
    test('another tenant never sees these alerts: its list is empty and each id is not found', async () => {
      const other = await stack.createTenant();
      const res = await list('limit=200', other.key);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.items, []);
      for (const id of Object.values(ids)) {
        const one = await http<ErrorBody>('GET', url(`/alerts/${id}`), { key: other.key });
        assert.equal(one.status, 404);
        assert.equal(one.body.error.code, 'not_found');
      }
      assert.deepEqual((await list(`case=${cases['travel']}`, other.key)).body.items, []);
      assert.deepEqual((await list('observable=198.51.100.77', other.key)).body.items, []);
    });

    test('an MSSP operator reads a tenant it names in X-Vigil-Tenant, and only then', async () => {
      const operator = `vgl_test_${randomBytes(16).toString('hex')}`;
      await stack.api.get(ApiKeysService).ensureAdminKey(operator);
      const named = await list('source=generic', operator, { 'x-vigil-tenant': tenant.slug });
      assert.equal(named.status, 200, JSON.stringify(named.body));
      assert.deepEqual(names(named.body), ['powershell', 'beacon', 'travel']);
      const own = await list('limit=200', operator);
      assert.equal(own.status, 200);
      assert.equal(
        own.body.items.some((a) => Object.values(ids).includes(a.id)),
        false,
      );
      const one = await http<AlertDetail>('GET', url(`/alerts/${ids['travel']}`), { key: operator, headers: { 'x-vigil-tenant': tenant.id } });
      assert.equal(one.status, 200);
      assert.equal((await http('GET', url(`/alerts/${ids['travel']}`), { key: operator })).status, 404);
      const tenantAdmin = await list('', tenant.key, { 'x-vigil-tenant': (await stack.createTenant()).slug });
      assert.equal(tenantAdmin.status, 403, 'a tenant key may not name another tenant');
    });

    test('reading roles may read; an ingest key may not', async () => {
      for (const role of ['admin', 'author', 'analyst', 'viewer']) {
        const key = await stack.createKey(tenant.id, role);
        assert.equal((await list('limit=1', key)).status, 200, role);
        assert.equal((await http('GET', url(`/alerts/${ids['ocsf']}`), { key })).status, 200, role);
      }
      const ingestKey = await stack.createKey(tenant.id, 'ingest');
      const res = await http<ErrorBody>('GET', url('/alerts'), { key: ingestKey });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'forbidden');
      assert.equal((await http<ErrorBody>('GET', url(`/alerts/${ids['ocsf']}`), { key: ingestKey })).status, 403);
      assert.equal((await http<ErrorBody>('GET', url('/alerts'))).status, 401);
    });
  });

  describe('bad input answers 400 naming the field, never a 500', () => {
    const bad: Array<{ query: string; field: string }> = [
      { query: 'minSeverity=extreme', field: 'minSeverity' },
      { query: 'minSeverity=7', field: 'minSeverity' },
      { query: 'attack=T105', field: 'attack' },
      { query: 'attack=TA0011.001', field: 'attack' },
      { query: 'source=nope', field: 'source' },
      { query: 'source=', field: 'source' },
      { query: 'from=yesterday', field: 'from' },
      { query: 'to=2026-13-01T00:00:00Z', field: 'to' },
      { query: 'case=not-a-uuid', field: 'case' },
      { query: 'observable=a&observable=b', field: 'observable' },
      { query: 'observable=', field: 'observable' },
      { query: `rule=${'x'.repeat(501)}`, field: 'rule' },
      { query: 'limit=0', field: 'limit' },
      { query: 'limit=201', field: 'limit' },
      { query: 'limit=ten', field: 'limit' },
    ];
    for (const b of bad) {
      test(`?${b.query.slice(0, 40)} answers 400 invalid_query naming ${b.field}`, async () => {
        const res = await list(b.query);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        const body = res.body as unknown as ErrorBody;
        assert.equal(body.error.code, 'invalid_query');
        assert.deepEqual([...new Set(body.error.details.issues?.map((i) => i.path.split('.')[0]))], [b.field]);
      });
    }

    test('an unknown parameter is refused by name', async () => {
      const res = await http<ErrorBody>('GET', `${url('/alerts')}?severity=high`, { key: tenant.key });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'invalid_query');
      assert.match(res.body.error.details.issues![0]!.message, /severity/);
    });

    test('a garbled, foreign or forged cursor answers 400 invalid_cursor', async () => {
      const forgedTime = Buffer.from(JSON.stringify({ k: 'alerts:event_time:desc', v: ['2026-13-45 10:00:00+00', randomUUID()] })).toString('base64url');
      const injected = Buffer.from(JSON.stringify({ k: 'alerts:event_time:desc', v: ["2026-01-01'); DROP TABLE alerts; --", randomUUID()] })).toString('base64url');
      const foreign = Buffer.from(JSON.stringify({ k: 'cases:created_at:desc', v: ['2026-01-01 10:00:00+00', randomUUID()] })).toString('base64url');
      for (const cursor of ['garbage', forgedTime, injected, foreign]) {
        const res = await http<ErrorBody>('GET', `${url('/alerts')}?cursor=${cursor}`, { key: tenant.key });
        assert.equal(res.status, 400, cursor);
        assert.equal(res.body.error.code, 'invalid_cursor');
      }
    });
  });
});
