import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { graphNormalizer } from './graph.normalizer.js';
import { assertNamesArePaths, attackKeys, fixture, NOW, observed, onlyAlert, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'msgraph_alert_v2.json';
const ID = 'da638765432109876543_-1234567890';

describe('graph normaliser', () => {
  test('maps the alerts_v2 fixture and its typed evidence', () => {
    const alert = onlyAlert(graphNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, ID);
    assert.equal(alert.finding_info.title, 'Suspicious PowerShell command line');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 25, 2, 765));
    assert.equal(alert.finding_info.created_time, Date.UTC(2026, 2, 2, 10, 21, 40, 123));
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 2, 10, 19, 58, 1));
    assert.equal(alert.finding_info.last_seen_time, Date.UTC(2026, 2, 2, 10, 20, 30, 442));
    assert.equal(alert.finding_info.src_url, `https://security.microsoft.com/alerts/${ID}?tid=11111111-2222-3333-4444-555555555555`);
    assert.deepEqual(alert.metadata.product, { name: 'Microsoft Defender for Endpoint', vendor_name: 'Microsoft', uid: 'microsoftDefenderForEndpoint' });
    assert.deepEqual(attackKeys(alert), ['TA0002||', '|T1059|T1059.001', '|T1105|']);
    assert.deepEqual(alert.device, {
      hostname: 'ws-0142.corp.example',
      uid: '0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e',
      ip: '10.1.4.142',
      os: { name: 'Windows11', type_id: 100, type: 'Windows' },
      type_id: 0,
      type: 'Unknown',
    });
    assert.deepEqual(alert.actor, {
      user: { name: 'jdoe', domain: 'CORP', uid: 'S-1-5-21-1111111111-2222222222-3333333333-1142', email_addr: 'jdoe@corp.example' },
    });
    assert.deepEqual(observed(alert), [
      'hostname:ws-0142.corp.example',
      'ip:10.1.4.142',
      'user:jdoe',
      'email:jdoe@corp.example',
      'ip:203.0.113.66',
      'url:https://cdn.bad-example.net/stage2.ps1',
      'domain:cdn.bad-example.net',
      'file_name:stage2.ps1',
      'sha1:3395856ce81f2b7382dee72602f798b642f14140',
      'sha256:de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c',
      'command_line:powershell.exe -nop -w hidden -enc SQBFAFgA...',
      'file_name:powershell.exe',
      'sha256:9785001b0dcf755eddb8af294a373c0b87b2498660f724e76c4d53f9c217c7a3',
    ]);
    assert.equal(vigilOf(alert).find((o) => o.value === '203.0.113.66')?.name, 'evidences[3].dst_endpoint.ip');
    assertNamesArePaths(alert);
    assert.equal(alert.unmapped?.['incident_id'], '48211');
  });

  test('reads mailbox, message, DNS and network evidence', () => {
    const evidence = [
      { '@odata.type': '#microsoft.graph.security.mailboxEvidence', primaryAddress: 'CFO@Corp.Example', userAccount: { accountName: 'cfo' } },
      {
        '@odata.type': '#microsoft.graph.security.analyzedMessageEvidence',
        senderIp: '198.51.100.20',
        recipientEmailAddress: 'cfo@corp.example',
        p1Sender: { emailAddress: 'billing[@]invoices-example[.]com' },
      },
      { '@odata.type': '#microsoft.graph.security.dnsEvidence', domainName: 'login-corp.example', hostIpAddress: { ipAddress: '198.51.100.21' } },
      {
        '@odata.type': '#microsoft.graph.security.networkConnectionEvidence',
        sourceAddress: { ipAddress: 'fe80::1' },
        destinationAddress: { ipAddress: '2001:db8::5' },
      },
      { '@odata.type': '#microsoft.graph.security.registryKeyEvidence', registryKey: 'HKLM\\Software\\Run' },
    ];
    const alert = onlyAlert(graphNormalizer.normalize(withPath(fixture(FIXTURE), 'evidence', evidence), NOW));
    assert.deepEqual(observed(alert), [
      'user:cfo',
      'email:cfo@corp.example',
      'ip:198.51.100.20',
      'email:billing@invoices-example.com',
      'domain:login-corp.example',
      'ip:198.51.100.21',
      'ip:fe80::1',
      'ip:2001:db8::5',
    ]);
    assert.equal(vigilOf(alert).find((o) => o.value === 'fe80::1')?.is_private, true);
    assert.equal(alert.device, undefined);
  });

  test('maps both ends of the severity scale', () => {
    const sev = (s: string) => onlyAlert(graphNormalizer.normalize(withPath(fixture(FIXTURE), 'severity', s), NOW)).severity_id;
    assert.equal(sev('unknown'), 0);
    assert.equal(sev('informational'), 1);
    assert.equal(sev('low'), 2);
    assert.equal(sev('medium'), 3);
    assert.equal(sev('high'), 4);
    assert.equal(sev('unknownFutureValue'), 0);
  });

  test('a resolved alert closes the finding', () => {
    const alert = onlyAlert(graphNormalizer.normalize(withPath(fixture(FIXTURE), 'status', 'resolved'), NOW));
    assert.equal(alert.status_id, 4);
    assert.equal(alert.activity_id, 3);
    assert.equal(alert.type_uid, 200403);
  });

  test('reads {value: [...]} and reports bad items by index', () => {
    const second = withPath(fixture(FIXTURE), 'id', 'da000000000000000000_-1');
    const noId = withPath(fixture(FIXTURE), 'id', undefined);
    const badEvidence = withPath(fixture(FIXTURE), 'evidence', 'none');
    const result = graphNormalizer.normalize(
      { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2', value: [fixture(FIXTURE), noId, second, badEvidence] },
      NOW,
    );
    assert.deepEqual(
      result.alerts.map((a) => [a.index, a.alert.finding_info.uid]),
      [
        [0, ID],
        [2, 'da000000000000000000_-1'],
      ],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['path']]),
      [
        [1, 'unrecognized_payload', undefined],
        [3, 'invalid_alert', 'evidence'],
      ],
    );
  });

  test('an empty list is acknowledged; other bodies are not recognised', () => {
    assert.equal(graphNormalizer.normalize({ value: [] }, NOW).acknowledgement?.kind, 'empty');
    assert.equal(graphNormalizer.normalize(fixture('mde_alert_legacy.json'), NOW).failures[0].code, 'unrecognized_payload');
  });

  test('detects Graph alerts but not MDE alerts', () => {
    assert.equal(graphNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(graphNormalizer.detect({ value: [fixture(FIXTURE)] }), true);
    assert.equal(graphNormalizer.detect(fixture('mde_alert_legacy.json')), false);
  });
});
