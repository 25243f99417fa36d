import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crowdStrikeNormalizer } from './crowdstrike.normalizer.js';
import { attackKeys, fixture, NOW, observed, onlyAlert, withPath } from '../../../test/support/normalizer-testing.js';

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
