import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ocsfNormalizer } from './ocsf.normalizer.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { assertNamesArePaths, fixture, NOW, observed, onlyAlert, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';
import { formatOcsfIssues, validateOcsfFinding } from '../../../test/support/ocsf-validator.js';
import { LOCAL_ALERT_FIXTURES_DIR } from '../../../test/support/ocsf-conformance.js';

const FIXTURE = 'ocsf_detection_finding.json';
const UID = 'ldt:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:98765432109';

/** A valid OCSF 1.8.0 Detection Finding using most of what the class offers, written by hand from the schema files. */
function richFinding(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(LOCAL_ALERT_FIXTURES_DIR, 'ocsf', 'rich-detection-finding.json'), 'utf8')) as Record<string, unknown>;
}

function assertValid(finding: unknown, label: string): void {
  const issues = validateOcsfFinding(finding);
  assert.equal(issues.length, 0, `${label} is valid OCSF 1.8.0:\n${formatOcsfIssues(issues)}`);
}

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
      'user:jdoe',
      'command_line:powershell.exe -nop -w hidden -enc SQBFAFgA...',
      'file_name:powershell.exe',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
      'ip:203.0.113.66',
      'hostname:cdn.bad-example.net',
      'url:https://cdn.bad-example.net/stage2.ps1',
      'domain:cdn.bad-example.net',
    ]);
    assert.deepEqual(alert.unmapped, { PatternDispositionValue: 0 });
  });

  test('a valid finding is stored whole: the shared fixture', () => {
    const body = fixture(FIXTURE);
    assertValid(body, 'the shared fixture');
    const alert = onlyAlert(ocsfNormalizer.normalize(body, NOW));
    assert.deepEqual(alert, body, 'nothing dropped, renamed or added');
    assertNamesArePaths(alert);
  });

  test('a valid finding is stored whole: a richer one (evidences, device and OS types, cloud, resources, status, confidence, risk, remediation)', () => {
    const body = richFinding();
    assertValid(body, 'the hand-written finding');
    const result = ocsfNormalizer.normalize(body, NOW);
    const alert = onlyAlert(result);
    assert.deepEqual(alert, body, 'nothing dropped, renamed or added');
    assertValid(alert, 'the stored finding');
    for (const key of ['evidences', 'device', 'is_alert', 'metadata', 'status_id', 'confidence_id', 'resources', 'cloud', 'remediation', 'risk_level_id', 'observables']) {
      assert.deepEqual((alert as unknown as Record<string, unknown>)[key], body[key], key);
    }
    // Vigil's view of the same finding: every value named by its path, with Vigil's kinds.
    assertNamesArePaths(alert);
    assert.deepEqual(result.alerts[0].observables, vigilOf(alert));
    const byName = new Map(vigilOf(alert).map((o) => [o.name, `${o.kind}:${o.value}`]));
    assert.equal(byName.get('device.hostname'), 'hostname:web-prod-07');
    assert.equal(byName.get('device.network_interfaces[0].ip'), 'ip:203.0.113.40');
    assert.equal(byName.get('evidences[1].dst_endpoint.hostname'), 'hostname:c2.bad-example.net', "an endpoint's host name stays a hostname");
    assert.equal(byName.get('evidences[2].query.hostname'), 'domain:c2.bad-example.net', 'a DNS query is a domain');
    assert.equal(byName.get('evidences[3].url.hostname'), 'domain:login.bad-example.org');
    assert.equal(byName.get('evidences[3].email.to[0]'), 'email:ops@corp.example');
    assert.equal(byName.get('evidences[0].process.file.hashes[1].value'), 'md5:0123456789abcdef0123456789abcdef');
    assert.equal(byName.get('evidences[4].file.hashes[0].value'), 'sha1:3395856ce81f2b7382dee72602f798b642f14140');
    assert.equal(vigilOf(alert).find((o) => o.value === '198.51.100.23')?.is_private, false);
    assert.equal(vigilOf(alert).find((o) => o.value === '10.20.7.15')?.is_private, true);
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
    // Names that lead nowhere are the producer's own mistake, kept as listed: this finding is not valid OCSF.
    const result = ocsfNormalizer.normalize(body, NOW);
    assert.equal(result.alerts.length, 1);
    const alert = result.alerts[0].alert;
    assert.deepEqual(observed(alert).slice(-2), ['url:https://evil.example/a', 'md5:7353f60b1739074eb17c5f4dddefe239']);
    assert.deepEqual(alert.observables, body.observables, 'the finding keeps what the producer listed');
    assert.deepEqual(alert.finding_info.attacks, (body as { finding_info: { attacks: unknown } }).finding_info.attacks);
  });

  test('accepts time as an ISO string and keeps activity and status', () => {
    let body = withPath(fixture(FIXTURE), 'time', '2026-03-02T10:20:05.993+0000');
    body = withPath(body, 'activity_id', 3);
    body = withPath(body, 'activity_name', 'Close');
    body = withPath(body, 'type_uid', 200403);
    body = withPath(body, 'type_name', 'Detection Finding: Close');
    body = withPath(body, 'status_id', 4);
    body = withPath(body, 'status', 'Resolved');
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
