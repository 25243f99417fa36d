import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { suricataNormalizer } from './suricata.normalizer.js';
import { attackKeys, fixture, NOW, observed, onlyAlert, vigilOf, withPath, asNdjson, expectShape, shapeFixture } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'suricata_eve_alert.json';

describe('suricata normaliser', () => {
  test('maps the EVE alert fixture', () => {
    const alert = onlyAlert(suricataNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, '1805461738637437:2024897');
    assert.equal(alert.finding_info.title, 'ET MALWARE Suspicious PowerShell Stage2 Download');
    assert.equal(alert.finding_info.desc, 'A Network Trojan was detected');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 14, 52, 318));
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 2, 10, 14, 52, 101));
    assert.deepEqual(alert.finding_info.attacks, [{ tactic: { uid: 'TA0011', name: 'Command and Control' }, technique: { uid: 'T1105' } }]);
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', ip: '10.1.4.142' });
    assert.deepEqual(observed(alert), ['ip:10.1.4.142', 'ip:203.0.113.66', 'domain:cdn.bad-example.net', 'url:http://cdn.bad-example.net/stage2.ps1']);
    assert.equal(vigilOf(alert)[0].is_private, true);
    assert.equal(vigilOf(alert)[1].is_private, false);
    assert.equal(alert.unmapped?.['sensor'], 'ids-sensor-01');
    assert.deepEqual(alert.finding_info.analytic, { uid: '2024897', name: 'ET MALWARE Suspicious PowerShell Stage2 Download', type: 'Rule', type_id: 1 });
  });

  test('maps alert.severity 1 … 255', () => {
    const sev = (n: number) => onlyAlert(suricataNormalizer.normalize(withPath(fixture(FIXTURE), 'alert.severity', n), NOW)).severity_id;
    assert.deepEqual([1, 2, 3, 4, 255].map(sev), [4, 3, 2, 1, 1]);
  });

  test('counts only alert records in NDJSON text and keeps 64-bit flow ids exact', () => {
    const alert = JSON.stringify(fixture(FIXTURE));
    const flow = JSON.stringify({ timestamp: '2026-03-02T11:14:53.000000+0100', flow_id: 1805461738637437, event_type: 'flow', src_ip: '10.1.4.142' });
    const dns = JSON.stringify({ timestamp: '2026-03-02T11:14:51.000000+0100', flow_id: 99, event_type: 'dns', dns: { rrname: 'cdn.bad-example.net' } });
    const big = alert.replace('"flow_id":1805461738637437', '"flow_id":18446744073709551615');
    const text = [flow, alert, dns, '{"event_type": "alert", oops', big, ''].join('\n');
    const result = suricataNormalizer.normalize(text, NOW);
    assert.deepEqual(
      result.alerts.map((a) => [a.index, a.alert.finding_info.uid]),
      [
        [1, '1805461738637437:2024897'],
        [4, '18446744073709551615:2024897'],
      ],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['line']]),
      [[3, 'invalid_alert', 4]],
    );
  });

  test('reads a pretty-printed document sent as text as one document', () => {
    const alert = onlyAlert(suricataNormalizer.normalize(JSON.stringify(fixture(FIXTURE), null, 2), NOW));
    assert.equal(alert.finding_info.uid, '1805461738637437:2024897');
  });

  test('accepts an array and acknowledges a delivery without alerts', () => {
    const arr = suricataNormalizer.normalize([fixture(FIXTURE), withPath(fixture(FIXTURE), 'alert.signature_id', 2024898)], NOW);
    assert.deepEqual(
      arr.alerts.map((a) => a.alert.finding_info.uid),
      ['1805461738637437:2024897', '1805461738637437:2024898'],
    );
    const none = suricataNormalizer.normalize([withPath(fixture(FIXTURE), 'event_type', 'http'), withPath(fixture(FIXTURE), 'event_type', 'stats')], NOW);
    assert.deepEqual([none.alerts.length, none.failures.length], [0, 0]);
    assert.equal(none.acknowledgement?.kind, 'nothing_to_ingest');
    assert.deepEqual(none.acknowledgement?.details?.['skipped'], 2);
  });

  test('names missing signature_id and flow_id', () => {
    const noSig = suricataNormalizer.normalize(withPath(fixture(FIXTURE), 'alert.signature_id', undefined), NOW);
    assert.equal(noSig.failures[0].details?.['path'], 'alert.signature_id');
    const noFlow = suricataNormalizer.normalize(withPath(fixture(FIXTURE), 'flow_id', undefined), NOW);
    assert.equal(noFlow.failures[0].details?.['path'], 'flow_id');
    const badSeverity = suricataNormalizer.normalize(withPath(fixture(FIXTURE), 'alert.severity', 'high'), NOW);
    assert.equal(badSeverity.failures[0].details?.['path'], 'alert.severity');
  });

  test('falls back to tactic names in metadata and reads TLS, DNS and file info', () => {
    let body = withPath(fixture(FIXTURE), 'alert.metadata.mitre_tactic_id', undefined);
    body = withPath(body, 'http', undefined);
    body = withPath(body, 'tls', { sni: 'evil[.]example' });
    body = withPath(body, 'fileinfo', { filename: 'stage2.ps1', sha256: 'DE96A6E69944335375DC1AC238336066889D9FFC7D73628EF4FE1B1B160AB32C' });
    const alert = onlyAlert(suricataNormalizer.normalize(body, NOW));
    assert.deepEqual(attackKeys(alert), ['TA0011|T1105|']);
    assert.deepEqual(observed(alert), [
      'ip:10.1.4.142',
      'ip:203.0.113.66',
      'domain:evil.example',
      'file_name:stage2.ps1',
      'sha256:de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c',
    ]);
  });

  test('detects EVE objects and NDJSON text', () => {
    assert.equal(suricataNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(suricataNormalizer.detect(`${JSON.stringify(fixture(FIXTURE))}\n${JSON.stringify(fixture(FIXTURE))}`), true);
    assert.equal(suricataNormalizer.detect(fixture('wazuh_alert.json')), false);
    assert.equal(suricataNormalizer.normalize({ hello: 1 }, NOW).failures[0].code, 'unrecognized_payload');
  });
});

describe('documented EVE records (test/fixtures/alerts/suricata)', () => {
  test('alert with http: the internal host is the device, the Host header and the rebuilt URL, ATT&CK from metadata', () => {
    const alert = onlyAlert(suricataNormalizer.normalize(shapeFixture('suricata', 'alert-http-ipv4.json'), NOW));
    expectShape(alert, {
      title: 'ET MALWARE Cobalt Strike Beacon Observed',
      severity_id: 4,
      time: '2026-03-09T14:01:22.431Z',
      rule: '2027865',
      attacks: ['TA0011|T1071|'],
      device: { ip: '10.1.6.188' },
      observables: ['ip:198.51.100.203', 'domain:cdn-assets.example-bad.net', 'url:http://cdn-assets.example-bad.net/jquery-3.3.1.min.js'],
    });
    assert.equal(alert.finding_info.uid, '1911223344556677:2027865');
  });

  test('alert with dns v3 over IPv6: the queried name from queries[], the link-local source as the device', () => {
    const alert = onlyAlert(suricataNormalizer.normalize(shapeFixture('suricata', 'alert-dns-ipv6.json'), NOW));
    expectShape(alert, {
      title: 'ET INFO Observed DNS Query to .top TLD',
      severity_id: 2,
      time: '2026-03-09T14:05:09.002Z',
      device: { ip: 'fe80::21c:42ff:fe8a:1b2c' },
      observables: ['domain:login-verify.example-phish.top', 'ip:2001:db8:53::53', 'ip:fe80::21c:42ff:fe8a:1b2c'],
    });
  });

  test('alert with tls and its flow line, posted as NDJSON: the SNI is read, the flow line is skipped', () => {
    const result = suricataNormalizer.normalize(asNdjson(shapeFixture('suricata', 'alert-tls-sni.json')), NOW);
    assert.equal(result.alerts.length, 1);
    expectShape(result.alerts[0].alert, {
      title: 'ET JA3 Hash - Possible Sliver C2 TLS client',
      severity_id: 3,
      time: '2026-03-09T14:10:44.100Z',
      attacks: ['TA0011|T1573|'],
      observables: ['domain:api.sync-telemetry.example', 'ip:203.0.113.177', 'ip:10.1.7.45'],
    });
  });

  test('only flow and stats lines: acknowledged, nothing to ingest; a line that is not JSON fails alone with its line number', () => {
    const records = shapeFixture('suricata', 'flow-and-stats-only.json');
    const ack = suricataNormalizer.normalize(asNdjson(records), NOW);
    assert.equal(ack.acknowledgement?.kind, 'nothing_to_ingest');
    assert.deepEqual(ack.acknowledgement?.details?.reasons, ['EVE flow record', 'EVE stats record']);
    const broken = suricataNormalizer.normalize(`${asNdjson(records)}{"event_type": "alert",\n`, NOW);
    assert.deepEqual(
      broken.failures.map((f) => [f.code, f.details?.line]),
      [['invalid_alert', 3]],
    );
  });
});
