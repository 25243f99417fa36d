import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sentinelNormalizer } from './sentinel.normalizer.js';
import { attackKeys, expectShape, fixture, NOW, observed, onlyAlert, shapeFixture, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';
import { detectSource } from './index.js';

const FIXTURE = 'sentinel_incident.json';
const NAME = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';

const ENTITIES = [
  { kind: 'Host', properties: { hostName: 'WS-0142', dnsDomain: 'corp.example', friendlyName: 'WS-0142' } },
  { kind: 'Account', properties: { accountName: 'jdoe', ntDomain: 'CORP', sid: 'S-1-5-21-1-2-3-1142' } },
  { kind: 'Ip', properties: { address: '203.0.113.66' } },
  { kind: 'Url', properties: { url: 'hxxps://cdn[.]bad-example[.]net/stage2.ps1' } },
  { kind: 'FileHash', properties: { algorithm: 'SHA256', hashValue: '9785001B0DCF755EDDB8AF294A373C0B87B2498660F724E76C4D53F9C217C7A3' } },
  { kind: 'Process', properties: { commandLine: 'powershell.exe -enc AAAA' } },
  { kind: 'DnsResolution', properties: { domainName: 'cdn.bad-example.net' } },
];

describe('sentinel normaliser', () => {
  test('maps the incident fixture, tactics from CamelCase names', () => {
    const alert = onlyAlert(sentinelNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, NAME);
    assert.equal(alert.finding_info.title, 'Multi-stage attack involving PowerShell on WS-0142');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.status_id, 1);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 25, 40));
    assert.equal(alert.finding_info.created_time, Date.UTC(2026, 2, 2, 10, 22, 10));
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 2, 10, 19, 58, 1));
    assert.deepEqual(attackKeys(alert), ['TA0002||', 'TA0011||', '|T1059|', '|T1105|']);
    assert.equal(alert.finding_info.attacks?.[1].tactic?.name, 'Command and Control');
    assert.match(alert.finding_info.src_url ?? '', /Incidents\/5a6b7c8d/);
    assert.equal(alert.unmapped?.['incident_number'], 1842);
    assert.equal(alert.unmapped?.['provider_incident_id'], '48211');
    assert.deepEqual(vigilOf(alert), []);
    assert.deepEqual(alert.metadata.product, { name: 'Microsoft Sentinel', vendor_name: 'Microsoft' });
  });

  test('reads the automation trigger body with its related entities', () => {
    const incident = withPath(fixture(FIXTURE), 'properties.relatedEntities', ENTITIES);
    const alert = onlyAlert(sentinelNormalizer.normalize({ object: incident, workspaceId: '0000', workspaceInfo: { WorkspaceName: 'law-sec' } }, NOW));
    assert.equal(alert.finding_info.uid, NAME);
    assert.deepEqual(alert.device, { type_id: 0, type: 'Unknown', hostname: 'WS-0142.corp.example', name: 'WS-0142' });
    assert.deepEqual(alert.actor, { user: { name: 'jdoe', domain: 'CORP', uid: 'S-1-5-21-1-2-3-1142' } });
    assert.deepEqual(observed(alert), [
      'hostname:WS-0142.corp.example',
      'user:jdoe',
      'ip:203.0.113.66',
      'url:https://cdn.bad-example.net/stage2.ps1',
      'domain:cdn.bad-example.net',
      'file_name:powershell.exe',
      'command_line:powershell.exe -enc AAAA',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
    ]);
  });

  test('pairs a lone tactic with a lone technique', () => {
    let body = withPath(fixture(FIXTURE), 'properties.additionalData.tactics', ['InitialAccess']);
    body = withPath(body, 'properties.additionalData.techniques', ['T1566.001']);
    assert.deepEqual(attackKeys(onlyAlert(sentinelNormalizer.normalize(body, NOW))), ['TA0001|T1566|T1566.001']);
  });

  test('maps both ends of the severity scale and closes closed incidents', () => {
    const sev = (s: string) => onlyAlert(sentinelNormalizer.normalize(withPath(fixture(FIXTURE), 'properties.severity', s), NOW)).severity_id;
    assert.equal(sev('Informational'), 1);
    assert.equal(sev('Low'), 2);
    assert.equal(sev('Medium'), 3);
    assert.equal(sev('High'), 4);
    const closed = onlyAlert(sentinelNormalizer.normalize(withPath(fixture(FIXTURE), 'properties.status', 'Closed'), NOW));
    assert.deepEqual([closed.status_id, closed.activity_id], [4, 3]);
    const active = onlyAlert(sentinelNormalizer.normalize(withPath(fixture(FIXTURE), 'properties.status', 'Active'), NOW));
    assert.equal(active.status_id, 2);
  });

  test('reads a {value: [...]} list and names a missing name', () => {
    const noName = withPath(withPath(fixture(FIXTURE), 'name', undefined), 'id', undefined);
    const result = sentinelNormalizer.normalize({ value: [fixture(FIXTURE), noName] }, NOW);
    assert.deepEqual(
      result.alerts.map((a) => a.index),
      [0],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['path']]),
      [[1, 'invalid_alert', 'name']],
    );
  });

  test('detects incidents only', () => {
    assert.equal(sentinelNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(sentinelNormalizer.detect({ object: fixture(FIXTURE) }), true);
    assert.equal(sentinelNormalizer.detect(fixture('msgraph_alert_v2.json')), false);
    assert.equal(sentinelNormalizer.normalize({ properties: {} }, NOW).failures[0].code, 'unrecognized_payload');
  });
});

describe('documented Sentinel shapes (test/fixtures/alerts/sentinel)', () => {
  test('incident with entities: the account with its UPN suffix, IPv6, mail recipient, the machine account as a host', () => {
    const alert = onlyAlert(sentinelNormalizer.normalize(shapeFixture('sentinel', 'incident-trigger-entities.json'), NOW));
    expectShape(alert, {
      title: 'Suspicious inbox forwarding rule and anomalous sign-in',
      severity_id: 4,
      time: '2026-03-06T07:05:13.123Z',
      attacks: ['TA0001||', 'TA0009||', '|T1078|', '|T1114|T1114.003'],
      user: { name: 'hpatel@corp.example', domain: 'corp.example', email_addr: 'hpatel@corp.example', uid: '4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a' },
      observables: ['user:hpatel@corp.example', 'email:hpatel@corp.example', 'ip:2a02:db8:1234:5678::9', 'email:invoices-archive@mailbox-free.example', 'hostname:EXCH01'],
      absent: ['user:EXCH01$'],
    });
    assert.ok(alert.metadata.labels?.includes('sentinel:BEC'));
  });

  test('SecurityAlert from the alert trigger: entities and extended properties given as JSON text', () => {
    const alert = onlyAlert(sentinelNormalizer.normalize(shapeFixture('sentinel', 'security-alert-trigger.json'), NOW));
    expectShape(alert, {
      title: 'Suspicious process executed via WMI',
      severity_id: 3,
      time: '2026-03-06T12:20:31.330Z',
      rule: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9',
      attacks: ['TA0008||', 'TA0002||', '|T1047|', '|T1021|'],
      device: { hostname: 'APP03', domain: 'corp.example' },
      user: { name: 'rtaylor', domain: 'CORP' },
      observables: [
        'command_line:cmd.exe /Q /c cd \\ 1> \\\\127.0.0.1\\ADMIN$\\__1772799000.11 2>&1',
        'file_name:cmd.exe',
        'ip:10.1.4.142',
        'sha256:ee2b4b1fe4c2e7a3d1c0b9a8f7e6d5c4b3a2918070605040302010f0e0d0c0b0',
      ],
    });
    assert.equal(alert.finding_info.uid, '2517520712345678901_4a3b2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0');
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 6, 12, 10, 0));
    assert.equal(detectSource(shapeFixture('sentinel', 'security-alert-trigger.json')), 'sentinel');
  });

  test('a SecurityAlert whose Entities text is not a list is refused at `Entities`', () => {
    const body = withPath(shapeFixture('sentinel', 'security-alert-trigger.json'), 'Entities', '{"not": "a list"}');
    assert.deepEqual(
      sentinelNormalizer.normalize(body, NOW).failures.map((f) => [f.code, f.details?.path]),
      [['invalid_alert', 'Entities']],
    );
  });
});
