import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crowdStrikeNormalizer } from './crowdstrike.normalizer.js';
import { attackKeys, expectShape, fixture, NOW, observed, onlyAlert, shapeFixture, withPath, vigilOf } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'crowdstrike_stream_detection_summary.json';
const DETECT_ID = 'ldt:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:98765432109';

function alertEntity(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'ind:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:1234-5678',
    composite_id: '0123456789abcdef0123456789abcdef:ind:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:1234-5678',
    aggregate_id: 'aggind:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:1772446798',
    cid: '0123456789abcdef0123456789abcdef',
    agent_id: '4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c',
    product: 'epp',
    type: 'ldt',
    status: 'new',
    name: 'PowerShellEncodedFromOffice',
    display_name: 'Encoded PowerShell from Office',
    description: 'An Office application launched an encoded PowerShell command.',
    severity: 70,
    severity_name: 'High',
    tactic: 'Execution',
    tactic_id: 'TA0002',
    technique: 'PowerShell',
    technique_id: 'T1059.001',
    cmdline: 'powershell.exe -enc SQBFAFgA',
    filename: 'powershell.exe',
    sha256: '9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
    md5: '00000000000000000000000000000000',
    user_name: 'jdoe',
    logon_domain: 'CORP',
    parent_details: { filename: 'winword.exe', cmdline: 'WINWORD.EXE /n', sha256: '0000000000000000000000000000000000000000000000000000000000000000' },
    device: { device_id: '4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c', hostname: 'WS-0142', local_ip: '10.1.4.142', external_ip: '203.0.113.200', os_version: 'Windows 11' },
    timestamp: '2026-03-02T10:19:58.001Z',
    created_timestamp: '2026-03-02T10:20:05.000Z',
    updated_timestamp: '2026-03-02T10:21:00.000Z',
    falcon_host_link: 'https://falcon.crowdstrike.com/activity-v2/detections/x',
    ...overrides,
  };
}

describe('crowdstrike normaliser', () => {
  test('maps the DetectionSummaryEvent fixture', () => {
    const alert = onlyAlert(crowdStrikeNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, DETECT_ID);
    assert.equal(alert.finding_info.title, 'Suspicious Activity');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, 1772446805000);
    assert.equal(alert.finding_info.first_seen_time, 1772446798000);
    assert.deepEqual(alert.finding_info.attacks, [
      { tactic: { uid: 'TA0002', name: 'Execution' }, technique: { uid: 'T1059' }, sub_technique: { uid: 'T1059.001', name: 'PowerShell' } },
    ]);
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'WS-0142', domain: 'CORP', ip: '10.1.4.142', uid: '4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c' });
    assert.deepEqual(alert.actor, { user: { name: 'jdoe', domain: 'CORP' } });
    assert.deepEqual(observed(alert), [
      'hostname:WS-0142',
      'ip:10.1.4.142',
      'user:jdoe',
      'command_line:powershell.exe -nop -w hidden -enc SQBFAFgA...',
      'file_name:powershell.exe',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
      'sha1:6cbce4a295c163791b60fc23d285e6d84f28ee4c',
      'md5:7353f60b1739074eb17c5f4dddefe239',
      'command_line:"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE" /n',
      'file_name:winword.exe',
      'ip:203.0.113.66',
      'domain:cdn.bad-example.net',
    ]);
    assert.equal(alert.metadata.log_name, 'DetectionSummaryEvent');
    assert.equal(alert.unmapped?.['offset'], 884213);
    assert.match(alert.finding_info.src_url ?? '', /^https:\/\/falcon\.crowdstrike\.com\//);
  });

  test('stream severity 1 and 5 when no name is sent, and the name wins over the number', () => {
    const noName = withPath(fixture(FIXTURE), 'event.SeverityName', undefined);
    assert.equal(onlyAlert(crowdStrikeNormalizer.normalize(withPath(noName, 'event.Severity', 1), NOW)).severity_id, 1);
    assert.equal(onlyAlert(crowdStrikeNormalizer.normalize(withPath(noName, 'event.Severity', 5), NOW)).severity_id, 5);
    const disagree = withPath(withPath(fixture(FIXTURE), 'event.Severity', 5), 'event.SeverityName', 'Low');
    assert.equal(onlyAlert(crowdStrikeNormalizer.normalize(disagree, NOW)).severity_id, 2);
  });

  test('ignores zero-filled hashes', () => {
    let body = withPath(fixture(FIXTURE), 'event.MD5String', '00000000000000000000000000000000');
    body = withPath(body, 'event.SHA256String', '0'.repeat(64));
    const kinds = observed(onlyAlert(crowdStrikeNormalizer.normalize(body, NOW))).filter((o) => /^(md5|sha1|sha256):/.test(o));
    assert.deepEqual(kinds, ['sha1:6cbce4a295c163791b60fc23d285e6d84f28ee4c']);
  });

  test('keeps Falcon-native tactic and technique ids as labels, not ATT&CK', () => {
    let body = withPath(fixture(FIXTURE), 'event.TacticId', 'CSTA0004');
    body = withPath(body, 'event.Tactic', 'Machine Learning');
    body = withPath(body, 'event.TechniqueId', 'CST0007');
    body = withPath(body, 'event.Technique', 'Sensor-based ML');
    const alert = onlyAlert(crowdStrikeNormalizer.normalize(body, NOW));
    assert.equal(alert.finding_info.attacks, undefined);
    assert.deepEqual(alert.metadata.labels, ['crowdstrike:CSTA0004', 'crowdstrike:CST0007']);
  });

  test('maps EppDetectionSummaryEvent with its CompositeId and 0–100 severity', () => {
    const event = {
      metadata: { customerIDString: 'c1d', offset: 9, eventType: 'EppDetectionSummaryEvent', eventCreationTime: 1772446900000, version: '1.0' },
      event: {
        CompositeId: 'c1d:ind:agent1:77',
        AggregateId: 'aggind:agent1:1772446798',
        AgentId: 'agent1',
        Hostname: 'WS-0142',
        LogonDomain: 'CORP',
        UserName: 'jdoe',
        LocalIP: '10.1.4.142',
        Name: 'CredentialDumping',
        DisplayName: 'Credential dumping via LSASS',
        Severity: 90,
        MitreAttack: [{ TacticID: 'TA0006', Tactic: 'Credential Access', TechniqueID: 'T1003.001', Technique: 'LSASS Memory' }],
        SHA256String: '0'.repeat(64),
      },
    };
    const alert = onlyAlert(crowdStrikeNormalizer.normalize(event, NOW));
    assert.equal(alert.finding_info.uid, 'c1d:ind:agent1:77');
    assert.equal(alert.finding_info.title, 'Credential dumping via LSASS');
    assert.equal(alert.severity_id, 5);
    assert.equal(alert.time, 1772446900000);
    assert.deepEqual(attackKeys(alert), ['TA0006|T1003|T1003.001']);
    assert.equal(alert.metadata.log_name, 'EppDetectionSummaryEvent');
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'WS-0142', ip: '10.1.4.142', uid: 'agent1' });
    assert.equal(alert.unmapped?.['aggregate_id'], 'aggind:agent1:1772446798');
  });

  test('maps Alerts API entities, both ends of 0–100 when names are absent', () => {
    const low = alertEntity({ composite_id: 'cid:ind:a:1', severity: 0, severity_name: undefined });
    const high = alertEntity({ composite_id: 'cid:ind:a:2', severity: 100, severity_name: undefined });
    const result = crowdStrikeNormalizer.normalize({ meta: { query_time: 0.01 }, resources: [low, high], errors: [] }, NOW);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(
      result.alerts.map((a) => [a.alert.finding_info.uid, a.alert.severity_id]),
      [
        ['cid:ind:a:1', 1],
        ['cid:ind:a:2', 5],
      ],
    );
  });

  test('reads an Alerts API entity in full', () => {
    const alert = onlyAlert(crowdStrikeNormalizer.normalize(alertEntity(), NOW));
    assert.equal(alert.finding_info.uid, '0123456789abcdef0123456789abcdef:ind:4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c:1234-5678');
    assert.equal(alert.finding_info.title, 'Encoded PowerShell from Office');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 21, 0));
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 2, 10, 19, 58, 1));
    assert.equal(alert.status_id, 1);
    assert.deepEqual(attackKeys(alert), ['TA0002|T1059|T1059.001']);
    assert.deepEqual(observed(alert), [
      'hostname:WS-0142',
      'ip:10.1.4.142',
      'ip:203.0.113.200',
      'user:jdoe',
      'file_name:powershell.exe',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
      'command_line:powershell.exe -enc SQBFAFgA',
      'command_line:WINWORD.EXE /n',
      'file_name:winword.exe',
    ]);
    const native = onlyAlert(crowdStrikeNormalizer.normalize(alertEntity({ tactic_id: 'CSTA0005', technique_id: 'CST0002' }), NOW));
    assert.deepEqual(native.metadata.labels, ['crowdstrike:CSTA0005', 'crowdstrike:CST0002']);
    assert.equal(native.finding_info.attacks, undefined);
  });

  test('reads a legacy Detects API entity', () => {
    const detect = {
      detection_id: 'ldt:agent1:42',
      max_severity: 30,
      max_severity_displayname: 'Low',
      first_behavior: '2026-03-02T10:19:58Z',
      last_behavior: '2026-03-02T10:20:10Z',
      status: 'in_progress',
      device: { device_id: 'agent1', hostname: 'WS-0142', local_ip: '10.1.4.142' },
      behaviors: [
        { display_name: 'Suspicious script', tactic_id: 'TA0002', technique_id: 'T1059', cmdline: 'cscript x.vbs', user_name: 'jdoe' },
        { tactic_id: 'TA0011', technique_id: 'T1105', sha256: '9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3' },
      ],
    };
    const alert = onlyAlert(crowdStrikeNormalizer.normalize(detect, NOW));
    assert.equal(alert.finding_info.uid, 'ldt:agent1:42');
    assert.equal(alert.severity_id, 2);
    assert.equal(alert.status_id, 2);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 20, 10));
    assert.deepEqual(attackKeys(alert), ['TA0002|T1059|', 'TA0011|T1105|']);
  });

  test('reads NDJSON stream text: skips non-detections, reports a bad line, keeps the rest', () => {
    const detection = JSON.stringify(fixture(FIXTURE));
    const audit = JSON.stringify({ metadata: { eventType: 'AuthActivityAuditEvent', offset: 884214 }, event: { UserId: 'api-client' } });
    const result = crowdStrikeNormalizer.normalize(`${detection}\n${audit}\n{"metadata": oops}\n`, NOW);
    assert.deepEqual(
      result.alerts.map((a) => [a.index, a.alert.finding_info.uid]),
      [[0, DETECT_ID]],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['line']]),
      [[2, 'invalid_alert', 3]],
    );
    assert.equal(result.acknowledgement, undefined);
  });

  test('a delivery with only non-detection events is acknowledged, not failed', () => {
    const result = crowdStrikeNormalizer.normalize({ metadata: { eventType: 'IncidentSummaryEvent' }, event: {} }, NOW);
    assert.deepEqual([result.alerts.length, result.failures.length], [0, 0]);
    assert.equal(result.acknowledgement?.kind, 'nothing_to_ingest');
  });

  test('names the missing detection id', () => {
    const result = crowdStrikeNormalizer.normalize(withPath(fixture(FIXTURE), 'event.DetectId', undefined), NOW);
    assert.deepEqual([result.failures[0].code, result.failures[0].details?.['path']], ['invalid_alert', 'event.DetectId']);
  });

  test('detection and unrecognised bodies', () => {
    assert.equal(crowdStrikeNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(crowdStrikeNormalizer.detect({ resources: [alertEntity()] }), true);
    assert.equal(crowdStrikeNormalizer.detect(fixture('wazuh_alert.json')), false);
    assert.equal(crowdStrikeNormalizer.normalize({ resources: 'x' }, NOW).failures[0].code, 'unrecognized_payload');
  });
});

describe('documented Falcon shapes (test/fixtures/alerts/crowdstrike)', () => {
  const normalize = (file: string) => onlyAlert(crowdStrikeNormalizer.normalize(shapeFixture('crowdstrike', file), NOW));

  test('Alerts API v2, Identity Protection: the source account is the user, the DC01$ target a host', () => {
    expectShape(normalize('alerts-v2-idp.json'), {
      title: 'Pass-the-hash authentication',
      severity_id: 4,
      time: '2026-03-02T12:00:05.220Z',
      rule: 'PassTheHash',
      attacks: ['TA0008|T1550|T1550.002'],
      device: { hostname: 'WS-0142.corp.example', ip: '10.1.4.142', uid: '8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d' },
      user: { name: 'jdoe@corp.example', domain: 'corp.example', email_addr: 'jdoe@corp.example', uid: 'S-1-5-21-3623811015-3361044348-30300820-1013' },
      observables: ['user:jdoe@corp.example', 'email:jdoe@corp.example', 'hostname:DC01', 'hostname:DC01.corp.example', 'ip:10.1.4.142'],
      absent: ['user:DC01$', 'user:jdoe'],
    });
  });

  test('Alerts API v2, Data Protection: DOMAIN\\user split, egressed files and the destination', () => {
    expectShape(normalize('alerts-v2-dlp.json'), {
      title: 'Confidential files uploaded to a personal cloud drive',
      severity_id: 3,
      time: '2026-03-02T14:11:20.512Z',
      attacks: ['TA0010|T1567|T1567.002'],
      user: { name: 'asmith', domain: 'CORP' },
      observables: [
        'user:asmith',
        'file_name:chrome.exe',
        'file_name:Q1-board-forecast.xlsx',
        'sha256:6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b',
        'url:https://drive-personal.example.net/upload',
        'domain:drive-personal.example.net',
      ],
      absent: ['user:CORP\\asmith'],
    });
  });

  test('Alerts API v2, XDR: source hosts, IPv4 and IPv6 source addresses, UPN and DOMAIN\\user names', () => {
    expectShape(normalize('alerts-v2-xdr.json'), {
      title: 'MFA push fatigue then interactive logon',
      severity_id: 5,
      time: '2026-03-03T07:46:02.117Z',
      attacks: ['TA0006|T1621|'],
      device: { hostname: 'WS-0219' },
      user: { name: 'bwhite@corp.example', domain: 'corp.example', email_addr: 'bwhite@corp.example' },
      observables: ['hostname:WS-0219', 'ip:203.0.113.77', 'ip:2001:db8:4:2::15', 'ip:10.1.5.219', 'user:bwhite@corp.example', 'user:bwhite'],
    });
  });

  test('Alerts API v2, Mobile: the link-local device address loses its zone', () => {
    const alert = normalize('alerts-v2-mobile.json');
    expectShape(alert, {
      title: 'Sideloaded app requested accessibility service',
      severity_id: 4,
      time: '2026-03-03T09:01:44.000Z',
      observables: ['ip:fe80::1c2a:3bff:fe4d:5e6f', 'sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae', 'email:cgreen@corp.example'],
    });
    assert.equal(alert.device?.ip, 'fe80::1c2a:3bff:fe4d:5e6f');
    assert.equal(vigilOf(alert).find((o) => o.value === 'fe80::1c2a:3bff:fe4d:5e6f')?.is_private, true);
  });

  test('Alerts API v2, OverWatch: process, parent and the service account', () => {
    expectShape(normalize('alerts-v2-overwatch.json'), {
      title: 'Falcon OverWatch: hands-on-keyboard credential dumping',
      severity_id: 5,
      time: '2026-03-03T02:32:40.000Z',
      attacks: ['TA0006|T1003|T1003.001'],
      user: { name: 'svc_sql', domain: 'CORP' },
      observables: [
        'file_name:rundll32.exe',
        'command_line:rundll32.exe C:\\Windows\\System32\\comsvcs.dll, MiniDump 712 C:\\ProgramData\\lsass.dmp full',
        'file_name:cmd.exe',
        'command_line:cmd.exe /c whoami /all',
        'sha256:b6b5a1c0f2e3d4c5b6a798877665544332211009988776655443322110099aab',
      ],
    });
  });

  test('Alerts API v2, Next-Gen SIEM in {resources}: hosts, addresses and users of the third-party events', () => {
    expectShape(normalize('alerts-v2-thirdparty-ngsiem.json'), {
      title: 'Firewall allowed traffic to a known C2 address',
      severity_id: 5,
      time: '2026-03-03T16:20:00.000Z',
      attacks: ['TA0011|T1071|'],
      device: { hostname: 'ws-0188.corp.example' },
      user: { name: 'dlee', domain: 'corp' },
      observables: ['hostname:ws-0188.corp.example', 'ip:10.1.6.188', 'ip:198.51.100.203', 'user:dlee'],
    });
  });

  test('Event Streams IdpDetectionSummaryEvent is a detection now, keyed by CompositeId', () => {
    const body = shapeFixture('crowdstrike', 'stream-idp-detection-summary.json');
    const alert = onlyAlert(crowdStrikeNormalizer.normalize(body, NOW));
    expectShape(alert, {
      title: 'Suspicious LDAP reconnaissance',
      severity_id: 3,
      time: '2026-03-03T12:13:20.000Z',
      attacks: ['TA0007|T1069|T1069.002'],
      device: { hostname: 'SCAN01.corp.example', ip: '10.1.3.50' },
      user: { name: 'svc_scan@corp.example', domain: 'corp.example', email_addr: 'svc_scan@corp.example' },
      observables: ['user:svc_scan@corp.example', 'hostname:DC01.corp.example', 'email:svc_scan@corp.example', 'hostname:SCAN01.corp.example'],
    });
    assert.equal(alert.finding_info.uid, '0123456789abcdef0123456789abcdef:ind:8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d:77AA0011-2233-4455-6677-8899AABBCCDD');
    assert.equal(alert.metadata.log_name, 'IdpDetectionSummaryEvent');
    // The same event without any id is refused at its field.
    const bare = withPath(withPath(body, 'event.CompositeId', undefined), 'event.DetectId', undefined);
    assert.deepEqual(crowdStrikeNormalizer.normalize(bare, NOW).failures[0]?.details, { path: 'event.CompositeId' });
  });
});
