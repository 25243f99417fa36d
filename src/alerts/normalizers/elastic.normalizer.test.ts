import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { elasticNormalizer } from './elastic.normalizer.js';
import { isRecord, type JsonRecord } from './field-access.js';
import { assertNamesArePaths, attackKeys, expectShape, fixture, NOW, observed, onlyAlert, shapeFixture, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'elastic_kibana_webhook_body.json';
const UUID = '6c1f0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a';

function alertDoc(): JsonRecord {
  const alerts = fixture(FIXTURE)['alerts'];
  assert.ok(Array.isArray(alerts) && isRecord(alerts[0]));
  return alerts[0];
}

/** The same document with every nested key flattened to a dotted one, as some templates render it. */
function flatten(value: JsonRecord, prefix = '', out: JsonRecord = {}): JsonRecord {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (isRecord(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

describe('elastic normaliser', () => {
  test('maps the Kibana webhook fixture', () => {
    const alert = onlyAlert(elasticNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, UUID);
    assert.equal(alert.finding_info.title, 'Suspicious PowerShell Encoded Command');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 20, 4, 870));
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 2, 10, 19, 58, 1));
    assert.equal(alert.status_id, 1);
    assert.deepEqual(alert.finding_info.analytic, {
      uid: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
      name: 'Suspicious PowerShell Encoded Command',
      type_id: 1,
      type: 'Rule',
    });
    assert.equal(alert.unmapped?.['rule_type'], 'query', "Elastic's own rule type stays beside OCSF's caption");
    assert.deepEqual(alert.finding_info.attacks, [
      {
        tactic: { uid: 'TA0002', name: 'Execution' },
        technique: { uid: 'T1059', name: 'Command and Scripting Interpreter' },
        sub_technique: { uid: 'T1059.001', name: 'PowerShell' },
      },
    ]);
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'ws-0142', name: 'WS-0142', ip: '10.1.4.142', os: { name: 'windows', type_id: 100, type: 'Windows' } });
    assert.deepEqual(alert.actor, { user: { name: 'jdoe', domain: 'CORP' } });
    assert.deepEqual(observed(alert), [
      'hostname:ws-0142',
      'ip:10.1.4.142',
      'user:jdoe',
      'ip:203.0.113.66',
      'domain:cdn.bad-example.net',
      'command_line:powershell.exe -nop -w hidden -enc SQBFAFgA...',
      'file_name:powershell.exe',
      'sha256:de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c',
      'file_name:winword.exe',
    ]);
    assert.equal(vigilOf(alert).find((o) => o.value === '203.0.113.66')?.name, 'evidences[0].dst_endpoint.ip');
    assertNamesArePaths(alert);
    assert.equal(alert.unmapped?.['risk_score'], 73);
  });

  test('reads dotted keys exactly like nested ones', () => {
    const nested = onlyAlert(elasticNormalizer.normalize(alertDoc(), NOW));
    const dotted = onlyAlert(elasticNormalizer.normalize(flatten(alertDoc()), NOW));
    assert.equal(dotted.finding_info.uid, UUID);
    assert.equal(dotted.severity_id, nested.severity_id);
    assert.deepEqual(dotted.finding_info.attacks, nested.finding_info.attacks);
    assert.deepEqual(observed(dotted), observed(nested));
  });

  test('accepts every common template shape', () => {
    const doc = alertDoc();
    const other = withPath(doc, 'kibana.alert.uuid', 'second-uuid');
    const shapes: unknown[] = [
      doc,
      [doc, other],
      { alerts: [doc, other] },
      { context: { alerts: [doc, other], rule: { name: 'x' } } },
      { alerts: JSON.stringify([doc, other]) },
      { alerts: { new: { count: 1, data: [doc] }, ongoing: { count: 1, data: [other] }, recovered: { count: 0, data: [] } } },
      [{ _id: 'hit-1', _index: '.internal.alerts-security.alerts-default-000001', _source: doc }],
    ];
    const counts = shapes.map((s) => elasticNormalizer.normalize(s, NOW).alerts.length);
    assert.deepEqual(counts, [1, 2, 2, 2, 2, 2, 1]);
    const multi = elasticNormalizer.normalize({ alerts: [doc, other] }, NOW);
    assert.deepEqual(
      multi.alerts.map((a) => [a.index, a.alert.finding_info.uid]),
      [
        [0, UUID],
        [1, 'second-uuid'],
      ],
    );
  });

  test('keeps good alerts of a batch and names the bad field', () => {
    const result = elasticNormalizer.normalize({ alerts: [alertDoc(), { foo: 1 }, withPath(alertDoc(), 'kibana.alert.uuid', 42)] }, NOW);
    assert.deepEqual(
      result.alerts.map((a) => a.index),
      [0],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['path']]),
      [
        [1, 'unrecognized_payload', undefined],
        [2, 'invalid_alert', 'kibana.alert.uuid'],
      ],
    );
  });

  test('maps both ends of the severity scale, and risk_score when severity is missing', () => {
    const sev = (doc: JsonRecord) => onlyAlert(elasticNormalizer.normalize(doc, NOW)).severity_id;
    assert.equal(sev(withPath(alertDoc(), 'kibana.alert.severity', 'low')), 2);
    assert.equal(sev(withPath(alertDoc(), 'kibana.alert.severity', 'critical')), 5);
    const noName = withPath(withPath(alertDoc(), 'kibana.alert.severity', undefined), 'kibana.alert.rule.severity', undefined);
    assert.equal(sev(withPath(noName, 'kibana.alert.risk_score', 10)), 2);
    assert.equal(sev(withPath(noName, 'kibana.alert.risk_score', 99)), 5);
  });

  test('reads legacy signal documents with the hit _id as uid', () => {
    const legacy = {
      _id: 'legacy-signal-id',
      _source: {
        '@timestamp': '2026-03-02T10:20:04.870Z',
        signal: {
          rule: { name: 'Legacy rule', severity: 'medium', threat: [{ framework: 'MITRE ATT&CK', tactic: { id: 'TA0011', name: 'Command and Control' }, technique: [] }] },
          status: 'closed',
        },
        source: { ip: '198.51.100.9' },
      },
    };
    const alert = onlyAlert(elasticNormalizer.normalize([legacy], NOW));
    assert.equal(alert.finding_info.uid, 'legacy-signal-id');
    assert.equal(alert.severity_id, 3);
    assert.deepEqual(attackKeys(alert), ['TA0011||']);
    assert.equal(alert.status_id, 4);
    assert.equal(alert.activity_id, 3);
  });

  test('falls back to the template rule name and date', () => {
    const bare = { 'kibana.alert.uuid': 'u-1', 'kibana.alert.severity': 'high', 'kibana.alert.rule.uuid': 'r-1' };
    const alert = onlyAlert(elasticNormalizer.normalize({ rule: { name: 'From template' }, date: '2026-03-02T10:20:05.112Z', alerts: [bare] }, NOW));
    assert.equal(alert.finding_info.title, 'From template');
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 20, 5, 112));
  });

  test('rejects __proto__ inside an alert', () => {
    const text = JSON.stringify({ alerts: [alertDoc()] }).replace('"space_ids"', '"__proto__"');
    const result = elasticNormalizer.normalize(JSON.parse(text) as unknown, NOW);
    assert.equal(result.failures[0].details?.['path'], 'kibana.__proto__');
  });

  test('an empty alert list is acknowledged, an unknown body is not recognised', () => {
    assert.equal(elasticNormalizer.normalize({ alerts: [] }, NOW).acknowledgement?.kind, 'empty');
    assert.equal(elasticNormalizer.normalize({ message: 'hi' }, NOW).failures[0].code, 'unrecognized_payload');
  });

  test('detects Kibana bodies and documents only', () => {
    assert.equal(elasticNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(elasticNormalizer.detect(flatten(alertDoc())), true);
    assert.equal(elasticNormalizer.detect({ context: { alerts: [alertDoc()] } }), true);
    assert.equal(elasticNormalizer.detect({ alerts: [{ title: 'generic' }] }), false);
  });
});

describe('documented Elastic Security shapes (test/fixtures/alerts/elastic)', () => {
  test('8.x nested alert: process paths, DOMAIN user and domain, the zoned IPv6 of host.ip', () => {
    const alert = onlyAlert(elasticNormalizer.normalize(shapeFixture('elastic', 'kibana-alert-nested.json'), NOW));
    expectShape(alert, {
      title: 'Suspicious comsvcs MiniDump',
      severity_id: 4,
      time: '2026-03-05T09:12:44.001Z',
      rule: '6d9e1c2a-3b4f-4a5e-8d7c-9b0a1f2e3d4c',
      attacks: ['TA0006|T1003|T1003.001'],
      user: { name: 'svc_sql', domain: 'CORP', uid: 'S-1-5-21-3623811015-3361044348-30300820-1500' },
      observables: [
        'ip:fe80::2a1b:3c4d:5e6f:7081',
        'file_name:rundll32.exe',
        'file_name:cmd.exe',
        'file_name:lsass.dmp',
        'sha256:b6b5a1c0f2e3d4c5b6a798877665544332211009988776655443322110099aab',
      ],
    });
    assert.equal(alert.device?.ip, '10.1.9.22');
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 5, 9, 11, 59, 870));
  });

  test('7.x signal without _id: keyed by rule and parent event, user split from CORP\\mlopez', () => {
    const body = shapeFixture('elastic', 'legacy-signal-7x.json');
    const alert = onlyAlert(elasticNormalizer.normalize(body, NOW));
    expectShape(alert, {
      title: 'Unusual Parent-Child Relationship',
      severity_id: 3,
      time: '2021-06-14T18:03:12.482Z',
      rule: '35df0dd8-092d-4a83-88c1-5151a804f31b',
      attacks: ['TA0004|T1055|'],
      user: { name: 'mlopez', domain: 'CORP' },
      observables: ['user:mlopez', 'file_name:svchost.exe', 'file_name:winword.exe', 'ip:10.1.2.77'],
      absent: ['user:CORP\\mlopez'],
    });
    assert.equal(alert.finding_info.uid, 'signal:4b2c7e10-cc5e-11eb-9f25-3b4c5d6e7f80:p5W1DnoBxkT3yQ8nL2aa');
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2021, 5, 14, 18, 2, 58, 1));
    // Without a parent either, nothing identifies it: refused at the id field.
    const orphan = withPath(withPath(withPath(body, 'signal.parent', undefined), 'signal.parents', undefined), 'signal.ancestors', undefined);
    assert.deepEqual(elasticNormalizer.normalize(orphan, NOW).failures[0]?.details, { path: 'kibana.alert.uuid' });
  });

  test('a rule run without alerts is acknowledged with the rule name', () => {
    const result = elasticNormalizer.normalize(shapeFixture('elastic', 'rule-run-no-alerts.json'), NOW);
    assert.deepEqual(result.alerts, []);
    assert.deepEqual(result.failures, []);
    assert.equal(result.acknowledgement?.kind, 'no_alerts');
    assert.deepEqual(result.acknowledgement?.details, { rule: 'Suspicious comsvcs MiniDump', date: '2026-03-05T10:00:00.000Z' });
    assert.equal(elasticNormalizer.detect(shapeFixture('elastic', 'rule-run-no-alerts.json')), true);
    assert.equal(elasticNormalizer.detect({ rule: { name: 'x' }, alerts: [] }), false);
  });
});
