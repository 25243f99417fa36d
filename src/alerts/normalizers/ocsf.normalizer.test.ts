import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ocsfNormalizer } from './ocsf.normalizer.js';
import { fixture, NOW, observed, onlyAlert, withPath } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'ocsf_detection_finding.json';
const UID = 'ldt:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:98765432109';

describe('ocsf normaliser', () => {
  test('validates and rebuilds the Detection Finding fixture', () => {
    const alert = onlyAlert(ocsfNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, UID);
    assert.equal(alert.finding_info.title, 'Suspicious PowerShell command line');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.severity, 'High');
    assert.equal(alert.time, 1772446805993);
    assert.equal(alert.message, 'Suspicious PowerShell command line on WS-0142');
    assert.equal(alert.confidence_id, 3);
    assert.deepEqual(alert.metadata.product, { name: 'Falcon Insight', vendor_name: 'CrowdStrike', uid: 'falcon' });
    assert.deepEqual(alert.finding_info.attacks, [
      {
        tactic: { uid: 'TA0002', name: 'Execution' },
        technique: { uid: 'T1059', name: 'Command and Scripting Interpreter' },
        sub_technique: { uid: 'T1059.001', name: 'PowerShell' },
        version: 'v18',
      },
    ]);
    assert.deepEqual(alert.finding_info.analytic, { uid: '10197', name: 'PowerShellEncodedFromOffice', type_id: 2, type: 'Behavioral' });
    assert.deepEqual(observed(alert), [
      'hostname:WS-0142',
      'ip:10.1.4.142',
      'ip:203.0.113.66',
      'user:jdoe',
      'url:https://cdn.bad-example.net/stage2.ps1',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
      'command_line:powershell.exe -nop -w hidden -enc SQBFAFgA...',
      'file_name:powershell.exe',
      'domain:cdn.bad-example.net',
    ]);
    assert.deepEqual(alert.unmapped, { PatternDispositionValue: 0 });
  });

  test('names each missing or mistyped required field', () => {
    const cases: Array<[string, unknown, string]> = [
      ['class_uid', 2001, 'class_uid'],
      ['finding_info.uid', undefined, 'finding_info.uid'],
      ['finding_info.title', 7, 'finding_info.title'],
      ['severity_id', 9, 'severity_id'],
      ['time', undefined, 'time'],
      ['time', 'later', 'time'],
      ['metadata.product', undefined, 'metadata.product'],
      ['activity_id', 'create', 'activity_id'],
    ];
    for (const [path, value, expected] of cases) {
      const result = ocsfNormalizer.normalize(withPath(fixture(FIXTURE), path, value), NOW);
      assert.equal(result.alerts.length, 0, path);
      assert.deepEqual([result.failures[0].code, result.failures[0].details?.['path']], ['invalid_alert', expected], path);
    }
  });

  test("keeps the producer's observables and attacks as given; Vigil's view refangs and re-types them", () => {
    let body = withPath(fixture(FIXTURE), 'observables', [
      { name: 'x.url', type_id: 6, value: 'hxxps://evil[.]example/a' },
      { name: 'x.hash', type_id: 8, value: '7353F60B1739074EB17C5F4DDDEFE239' },
      { name: 'x.mac', type_id: 3, value: '00:11:22:33:44:55' },
      { name: 'x.zero', type_id: 8, value: '0'.repeat(40) },
    ]);
    body = withPath(body, 'evidences', []);
    body = withPath(body, 'finding_info.attacks', [{ technique: { uid: 'T1566.002', name: 'Spearphishing Link' }, tactics: [{ name: 'Initial Access' }] }]);
    const alert = onlyAlert(ocsfNormalizer.normalize(body, NOW));
    assert.deepEqual(observed(alert).slice(-2), ['url:https://evil.example/a', 'md5:7353f60b1739074eb17c5f4dddefe239']);
    assert.deepEqual(alert.observables, body.observables, 'the finding keeps what the producer listed');
    assert.deepEqual(alert.finding_info.attacks, (body as { finding_info: { attacks: unknown } }).finding_info.attacks);
  });

  test('accepts time as an ISO string and keeps activity and status', () => {
    let body = withPath(fixture(FIXTURE), 'time', '2026-03-02T10:20:05.993+0000');
    body = withPath(body, 'activity_id', 3);
    body = withPath(body, 'status_id', 4);
    const alert = onlyAlert(ocsfNormalizer.normalize(body, NOW));
    assert.equal(alert.time, 1772446805993);
    assert.deepEqual([alert.activity_id, alert.type_uid, alert.status_id], [3, body.type_uid, 4], "type_uid is the producer's own");
  });

  test('takes an array and reports the bad finding by index', () => {
    const result = ocsfNormalizer.normalize([fixture(FIXTURE), withPath(fixture(FIXTURE), 'class_uid', 2003), 'x'], NOW);
    assert.deepEqual(
      result.alerts.map((a) => a.index),
      [0],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code]),
      [
        [1, 'invalid_alert'],
        [2, 'unrecognized_payload'],
      ],
    );
    assert.equal(result.failures[0].details?.['found'], 2003);
  });

  test('detects class_uid 2004 only', () => {
    assert.equal(ocsfNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(ocsfNormalizer.detect(withPath(fixture(FIXTURE), 'class_uid', 2001)), false);
    assert.equal(ocsfNormalizer.normalize({ a: 1 }, NOW).failures[0].code, 'unrecognized_payload');
  });
});
