import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defenderNormalizer } from './defender.normalizer.js';
import { assertNamesArePaths, attackKeys, expectShape, fixture, NOW, observed, onlyAlert, shapeFixture, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'mde_alert_legacy.json';
const ID = 'da638765432109876543_-1234567890';

describe('defender normaliser', () => {
  test('maps the MDE fixture, skipping the null evidence keys', () => {
    const alert = onlyAlert(defenderNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, ID);
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 25, 2, 765));
    assert.equal(alert.finding_info.created_time, Date.UTC(2026, 2, 2, 10, 21, 40, 123));
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 2, 10, 19, 58, 1));
    assert.equal(alert.finding_info.last_seen_time, Date.UTC(2026, 2, 2, 10, 20, 30, 442));
    assert.equal(alert.status_id, 1);
    assert.deepEqual(attackKeys(alert), ['TA0002||', '|T1059|T1059.001', '|T1105|']);
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'ws-0142.corp.example', uid: '0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e' });
    assert.deepEqual(alert.actor, { user: { name: 'jdoe', domain: 'CORP' } });
    assert.deepEqual(observed(alert), [
      'hostname:ws-0142.corp.example',
      'user:jdoe',
      'user:jdoe@corp.example',
      'email:jdoe@corp.example',
      'command_line:powershell.exe -nop -w hidden -enc SQBFAFgA...',
      'file_name:powershell.exe',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
      'sha1:6cbce4a295c163791b60fc23d285e6d84f28ee4c',
      'file_name:WINWORD.EXE',
      'ip:203.0.113.66',
      'url:https://cdn.bad-example.net/stage2.ps1',
      'domain:cdn.bad-example.net',
    ]);
    assert.equal(vigilOf(alert).find((o) => o.kind === 'url')?.name, 'evidences[3].url.url_string');
    assertNamesArePaths(alert);
    assert.equal(alert.unmapped?.['incident_id'], '48211');
    assert.equal(alert.unmapped?.['investigation_id'], undefined);
  });

  test('maps both ends of the severity scale', () => {
    const sev = (s: string) => onlyAlert(defenderNormalizer.normalize(withPath(fixture(FIXTURE), 'severity', s), NOW)).severity_id;
    assert.equal(sev('UnSpecified'), 0);
    assert.equal(sev('Informational'), 1);
    assert.equal(sev('Low'), 2);
    assert.equal(sev('Medium'), 3);
    assert.equal(sev('High'), 4);
  });

  test('reads {value: [...]} with a bad item in the middle', () => {
    const result = defenderNormalizer.normalize(
      { '@odata.context': 'https://api.securitycenter.microsoft.com/api/$metadata#Alerts', value: [fixture(FIXTURE), { id: 7 }, withPath(fixture(FIXTURE), 'evidence', 'none')] },
      NOW,
    );
    assert.deepEqual(
      result.alerts.map((a) => a.index),
      [0],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['path']]),
      [
        [1, 'unrecognized_payload', undefined],
        [2, 'invalid_alert', 'evidence'],
      ],
    );
  });

  test('tolerates a null relatedUser and missing evidence', () => {
    const body = withPath(withPath(fixture(FIXTURE), 'relatedUser', null), 'evidence', undefined);
    const alert = onlyAlert(defenderNormalizer.normalize(body, NOW));
    assert.equal(alert.actor, undefined);
    assert.deepEqual(observed(alert), ['hostname:ws-0142.corp.example']);
  });

  test('detects MDE alerts but not Graph alerts', () => {
    assert.equal(defenderNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(defenderNormalizer.detect({ value: [fixture(FIXTURE)] }), true);
    assert.equal(defenderNormalizer.detect(fixture('msgraph_alert_v2.json')), false);
    assert.equal(defenderNormalizer.normalize('not json', NOW).failures[0].code, 'unrecognized_payload');
  });
});

describe('documented Defender for Endpoint shapes (test/fixtures/alerts/defender)', () => {
  test('evidence as an array: process command line and executable, UPN, the machine account as a host, a zoned IPv6', () => {
    const alert = onlyAlert(defenderNormalizer.normalize(shapeFixture('defender', 'mde-alert-evidence-array.json'), NOW));
    expectShape(alert, {
      title: 'Suspicious access to LSASS service',
      severity_id: 4,
      time: '2026-03-04T08:16:40.100Z',
      rule: '5e8f3a1c-2b4d-4e6f-8a9b-0c1d2e3f4a5b',
      attacks: ['TA0006||', '|T1003|T1003.001'],
      device: { hostname: 'ws-0142.corp.example', uid: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07' },
      user: { name: 'jdoe', domain: 'CORP' },
      observables: [
        'command_line:procdump64.exe -accepteula -ma lsass.exe C:\\Users\\Public\\l.dmp',
        'file_name:procdump64.exe',
        'file_name:powershell.exe',
        'user:jdoe@corp.example',
        'email:jdoe@corp.example',
        'hostname:WS-0142',
        'ip:fe80::5d1a:7c2b:3e4f:9a01',
      ],
      absent: ['user:WS-0142$', 'file_name:Sysinternals'],
    });
  });

  test('evidence as one object is read like a one-entry list, named `evidence`', () => {
    const alert = onlyAlert(defenderNormalizer.normalize(shapeFixture('defender', 'mde-alert-evidence-object.json'), NOW));
    expectShape(alert, {
      title: "'Mimikatz' hacktool was detected",
      severity_id: 3,
      time: '2026-03-04T10:05:00.000Z',
      status_id: 2,
      attacks: ['|T1003|'],
      user: { name: 'svc_backup', domain: 'CORP' },
      observables: ['file_name:m64.exe', 'sha256:92a4c7f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a2', 'sha1:d1a2b3c4e5f60718293a4b5c6d7e8f90a1b2c3d4'],
    });
    assert.ok(
      vigilOf(alert).some((o) => o.kind === 'file_name' && o.name?.startsWith('evidences[0].file')),
      'the one entry is the first evidence',
    );
  });

  test('a {value} list: refanged URL and its domain, IPv6, the process account and UPN', () => {
    const alert = onlyAlert(defenderNormalizer.normalize(shapeFixture('defender', 'mde-alerts-list-network.json'), NOW));
    expectShape(alert, {
      title: 'Connection to a custom network indicator',
      severity_id: 2,
      time: '2026-03-05T13:40:05.000Z',
      attacks: ['TA0011||'],
      observables: [
        'url:http://update-check.example-cdn.net/v2/ping',
        'domain:update-check.example-cdn.net',
        'ip:2001:db8:ff00::42',
        'file_name:updater.exe',
        'user:asmith',
        'email:asmith@corp.example',
      ],
    });
  });

  test('evidence that is neither a list nor an object is refused at `evidence`', () => {
    const body = withPath(shapeFixture('defender', 'mde-alert-evidence-object.json'), 'evidence', 42);
    const result = defenderNormalizer.normalize(body, NOW);
    assert.deepEqual(
      result.failures.map((f) => [f.code, f.details?.path]),
      [['invalid_alert', 'evidence']],
    );
  });
});
