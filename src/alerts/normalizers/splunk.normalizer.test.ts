import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { splunkNormalizer } from './splunk.normalizer.js';
import { detectSource } from './index.js';
import { assertNamesArePaths, attackKeys, expectShape, fixture, NOW, observed, onlyAlert, shapeFixture, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'splunk_webhook.json';
const SID = 'scheduler__admin__search__RMD5a1b2c3d4e5f6a7b8_at_1772446500_1234';

describe('splunk normaliser', () => {
  test('maps the webhook fixture', () => {
    const alert = onlyAlert(splunkNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, `${SID}:50339db2589504d2`);
    assert.equal(alert.finding_info.title, 'Threat - Suspicious Binary Download - Rule');
    assert.equal(alert.finding_info.desc, 'Suspicious binary download');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, 1772446530000);
    assert.equal(alert.finding_info.src_url, `https://splunk.example.local:8000/app/search/@go?sid=${SID}`);
    assert.equal(alert.metadata.original_event_uid, SID);
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'web-prod-03.corp.example', ip: '10.20.30.41' });
    assert.deepEqual(alert.actor, { user: { name: 'svc_deploy' } });
    assert.deepEqual(observed(alert), [
      'hostname:web-prod-03.corp.example',
      'ip:10.20.30.41',
      'user:svc_deploy',
      'ip:198.51.100.77',
      'url:http://malicious.example.net/payload.bin',
      'domain:malicious.example.net',
      'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    ]);
    assert.equal(alert.unmapped?.['count'], 3);
    assert.equal(alert.unmapped?.['host'], 'fw-edge-01');
  });

  test('uid is sid plus the first 16 hex of sha256 over the sorted-key JSON of result', () => {
    const body = fixture(FIXTURE);
    const result = body['result'] as Record<string, unknown>;
    const sorted = Object.fromEntries(
      Object.keys(result)
        .sort()
        .map((k) => [k, result[k]]),
    );
    const expected = createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
    assert.equal(onlyAlert(splunkNormalizer.normalize(body, NOW)).finding_info.uid, `${SID}:${expected}`);

    const reordered = { ...body, result: Object.fromEntries(Object.entries(result).reverse()) };
    assert.equal(onlyAlert(splunkNormalizer.normalize(reordered, NOW)).finding_info.uid, `${SID}:${expected}`);
    const changed = withPath(body, 'result.src', '198.51.100.78');
    assert.notEqual(onlyAlert(splunkNormalizer.normalize(changed, NOW)).finding_info.uid, `${SID}:${expected}`);
  });

  test('severity only from what the search put in result', () => {
    assert.equal(onlyAlert(splunkNormalizer.normalize(withPath(fixture(FIXTURE), 'result.severity', undefined), NOW)).severity_id, 0);
    assert.equal(onlyAlert(splunkNormalizer.normalize(withPath(fixture(FIXTURE), 'result.severity', 'informational'), NOW)).severity_id, 1);
    const urgent = withPath(withPath(fixture(FIXTURE), 'result.severity', undefined), 'result.urgency', 'critical');
    assert.equal(onlyAlert(splunkNormalizer.normalize(urgent, NOW)).severity_id, 5);
  });

  test('refangs defanged values and reads ATT&CK annotations', () => {
    let body = withPath(fixture(FIXTURE), 'result.url', 'hxxps://evil[.]example[.]org/drop.bin');
    body = withPath(body, 'result.annotations.mitre_attack', 'T1059.001\nT1105');
    body = withPath(body, 'result.mitre_tactic', 'Execution');
    const alert = onlyAlert(splunkNormalizer.normalize(body, NOW));
    assert.ok(observed(alert).includes('url:https://evil.example.org/drop.bin'));
    assert.ok(observed(alert).includes('domain:evil.example.org'));
    assert.deepEqual(attackKeys(alert), ['|T1059|T1059.001', '|T1105|', 'TA0002||']);
  });

  test('multivalue result fields arrive as arrays of strings', () => {
    const alert = onlyAlert(splunkNormalizer.normalize(withPath(fixture(FIXTURE), 'result.src_ip', ['198.51.100.1', '198.51.100.2']), NOW));
    const ips = vigilOf(alert).filter((o) => o.value === '198.51.100.1' || o.value === '198.51.100.2');
    assert.deepEqual(
      ips.map((o) => `${o.name}=${o.value}`),
      ['evidences[0].src_endpoint.ip=198.51.100.1', 'evidences[2].src_endpoint.ip=198.51.100.2'],
    );
    assertNamesArePaths(alert);
  });

  test('uses now when result has no _time', () => {
    assert.equal(onlyAlert(splunkNormalizer.normalize(withPath(fixture(FIXTURE), 'result._time', undefined), NOW)).time, NOW);
  });

  test('names the mistyped field', () => {
    const noSid = splunkNormalizer.normalize(withPath(fixture(FIXTURE), 'sid', 17), NOW);
    assert.deepEqual([noSid.failures[0].code, noSid.failures[0].details?.['path']], ['invalid_alert', 'sid']);
    const noResult = splunkNormalizer.normalize(withPath(fixture(FIXTURE), 'result', 'oops'), NOW);
    assert.equal(noResult.failures[0].details?.['path'], 'result');
    const badName = splunkNormalizer.normalize(withPath(fixture(FIXTURE), 'search_name', ['x']), NOW);
    assert.equal(badName.failures[0].details?.['path'], 'search_name');
  });

  test('a batch keeps its good bodies', () => {
    const result = splunkNormalizer.normalize([fixture(FIXTURE), { nope: true }, withPath(fixture(FIXTURE), 'sid', 'other_sid')], NOW);
    assert.deepEqual(
      result.alerts.map((a) => [a.index, a.alert.finding_info.uid.split(':')[0]]),
      [
        [0, SID],
        [2, 'other_sid'],
      ],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code]),
      [[1, 'unrecognized_payload']],
    );
  });

  test('unrecognised body and detection', () => {
    assert.equal(splunkNormalizer.normalize({ foo: 'bar' }, NOW).failures[0].code, 'unrecognized_payload');
    assert.equal(splunkNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(splunkNormalizer.detect(fixture('wazuh_alert.json')), false);
  });
});

describe('documented Splunk shapes (test/fixtures/alerts/splunk)', () => {
  test('ES access notable: urgency, epoch _time, DOMAIN\\user, MITRE annotations, notable fields kept', () => {
    const alert = onlyAlert(splunkNormalizer.normalize(shapeFixture('splunk', 'es-notable-brute-force.json'), NOW));
    expectShape(alert, {
      title: 'Access - Brute Force Access Behavior Detected - Rule',
      severity_id: 4,
      time: '2026-03-05T09:59:55.000Z',
      rule: 'Access - Brute Force Access Behavior Detected - Rule',
      attacks: ['|T1110|T1110.001', 'TA0006||'],
      device: { hostname: 'vpn-gw01.corp.example' },
      user: { name: 'kwong', domain: 'CORP' },
      observables: ['hostname:vpn-gw01.corp.example', 'user:kwong', 'ip:203.0.113.88'],
      absent: ['user:CORP\\kwong'],
    });
    assert.equal(alert.unmapped?.count, 49);
    assert.equal(alert.unmapped?.security_domain, 'access');
    assert.equal(alert.unmapped?.notable_event_id, '8C3F2A1B-4D5E-4F60-8172-93A4B5C6D7E8@@notable@@b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7');
  });

  test('ES endpoint notable: process paths, MD5= hash list, UPN user, nested annotations', () => {
    const alert = onlyAlert(splunkNormalizer.normalize(shapeFixture('splunk', 'es-notable-endpoint-process.json'), NOW));
    expectShape(alert, {
      title: 'Endpoint - Malicious PowerShell Process - Encoded Command - Rule',
      severity_id: 5,
      time: '2026-03-05T11:00:02.000Z',
      attacks: ['|T1059|T1059.001', '|T1027|', 'TA0002||', 'TA0005||'],
      device: { hostname: 'WS-0219' },
      user: { name: 'bwhite@corp.example', domain: 'corp.example', email_addr: 'bwhite@corp.example' },
      observables: ['md5:4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e', 'file_name:powershell.exe', 'file_name:excel.exe', 'email:bwhite@corp.example'],
    });
  });

  test('a test delivery without a result row is acknowledged; a result that is not an object is refused at `result`', () => {
    const body = shapeFixture('splunk', 'test-alert-no-result.json');
    const result = splunkNormalizer.normalize(body, NOW);
    assert.deepEqual([result.alerts.length, result.failures.length, result.acknowledgement?.kind], [0, 0, 'nothing_to_ingest']);
    assert.deepEqual(result.acknowledgement?.details?.reasons, ['Splunk search "Vigil webhook test" delivered no result row']);
    assert.equal(detectSource(body), 'splunk');
    assert.equal(splunkNormalizer.normalize(withPath(body, 'result', {}), NOW).acknowledgement?.kind, 'nothing_to_ingest');
    const bad = splunkNormalizer.normalize(withPath(body, 'result', 'oops'), NOW);
    assert.deepEqual(
      bad.failures.map((f) => [f.code, f.details?.path]),
      [['invalid_alert', 'result']],
    );
  });
});
