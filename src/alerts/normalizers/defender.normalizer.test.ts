import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defenderNormalizer } from './defender.normalizer.js';
import { attackKeys, fixture, NOW, observed, onlyAlert, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';

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
      'sha1:6cbce4a295c163791b60fc23d285e6d84f28ee4c',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
      'file_name:powershell.exe',
      'command_line:powershell.exe -nop -w hidden -enc SQBFAFgA...',
      'file_name:WINWORD.EXE',
      'email:jdoe@corp.example',
      'ip:203.0.113.66',
      'url:https://cdn.bad-example.net/stage2.ps1',
      'domain:cdn.bad-example.net',
    ]);
    assert.equal(vigilOf(alert).find((o) => o.kind === 'url')?.name, 'evidence[2].url');
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
      { '@odata.context': 'https://api.securitycenter.microsoft.com/api/$metadata#Alerts', value: [fixture(FIXTURE), { id: 7 }, withPath(fixture(FIXTURE), 'evidence', {})] },
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
