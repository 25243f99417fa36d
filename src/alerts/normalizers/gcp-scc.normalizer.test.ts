import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gcpSccNormalizer } from './gcp-scc.normalizer.js';
import { attackKeys, fixture, NOW, observed, onlyAlert, vigilOf, withPath, expectShape, shapeFixture } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'gcp_scc_notification_decoded.json';
const NAME = 'organizations/123456789012/sources/9876543210987654321/findings/8f7e6d5c4b3a29180716253443526170';

function push(payload: unknown, messageId = '8934521209483761'): Record<string, unknown> {
  return {
    message: {
      attributes: {},
      data: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8').toString('base64'),
      messageId,
      message_id: messageId,
      publishTime: '2026-03-02T10:20:41.002Z',
    },
    subscription: 'projects/sec-ops/subscriptions/vigil-scc-push',
  };
}

describe('gcp-scc normaliser', () => {
  test('maps the decoded notification fixture', () => {
    const alert = onlyAlert(gcpSccNormalizer.normalize(fixture(FIXTURE), NOW));
    assert.equal(alert.finding_info.uid, NAME);
    assert.equal(alert.finding_info.title, 'Malware: Bad IP');
    assert.equal(alert.severity_id, 4);
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 19, 59, 210));
    assert.equal(alert.finding_info.created_time, Date.UTC(2026, 2, 2, 10, 20, 40, 551));
    assert.equal(alert.status_id, 1);
    assert.deepEqual(alert.finding_info.attacks, [{ tactic: { uid: 'TA0011', name: 'Command and Control' }, technique: { uid: 'T1105' }, version: 'v15' }]);
    assert.deepEqual(alert.device, {
      type_id: 6,
      type: 'Virtual',
      uid: '//compute.googleapis.com/projects/prod-web/zones/europe-west1-b/instances/5566778899001122334',
      instance_uid: '5566778899001122334',
      name: 'web-prod-03',
      hostname: 'web-prod-03',
    });
    assert.deepEqual(observed(alert), [
      'hostname:web-prod-03',
      'user:svc-web@prod-web.iam.gserviceaccount.com',
      'email:svc-web@prod-web.iam.gserviceaccount.com',
      'ip:203.0.113.66',
      'domain:cdn.bad-example.net',
      'url:https://cdn.bad-example.net/stage2.ps1',
      'ip:10.132.0.12',
      'resource_uid://compute.googleapis.com/projects/prod-web/zones/europe-west1-b/instances/5566778899001122334',
    ]);
    assert.equal(vigilOf(alert).find((o) => o.value === '10.132.0.12')?.is_private, true);
    assert.equal(alert.unmapped?.['notification_config'], 'organizations/123456789012/notificationConfigs/soar-high-findings');
  });

  test('decodes a Pub/Sub push and keeps its messageId', () => {
    const notification = fixture(FIXTURE);
    const result = gcpSccNormalizer.normalize(push(notification), NOW);
    const alert = onlyAlert(result);
    assert.equal(alert.finding_info.uid, NAME);
    assert.equal(alert.metadata.original_event_uid, '8934521209483761');
    assert.deepEqual(result.alerts[0].raw, notification);
  });

  test('fails a push whose data is not base64 JSON, or not SCC', () => {
    const notBase64 = gcpSccNormalizer.normalize({ message: { data: '***', messageId: '1' }, subscription: 's' }, NOW);
    assert.deepEqual([notBase64.failures[0].code, notBase64.failures[0].details?.['path']], ['invalid_alert', 'message.data']);
    const notJson = gcpSccNormalizer.normalize(push('hello'), NOW);
    assert.equal(notJson.failures[0].details?.['reason'], 'invalid_json');
    const other = gcpSccNormalizer.normalize(push({ kind: 'storage#object' }), NOW);
    assert.equal(other.failures[0].code, 'unrecognized_payload');
    const proto = gcpSccNormalizer.normalize(push('{"finding":{"__proto__":{}}}'), NOW);
    assert.equal(proto.failures[0].details?.['reason'], 'forbidden_key');
  });

  test('maps both ends of the severity scale', () => {
    const sev = (s: string) => onlyAlert(gcpSccNormalizer.normalize(withPath(fixture(FIXTURE), 'finding.severity', s), NOW)).severity_id;
    assert.deepEqual(['SEVERITY_UNSPECIFIED', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].map(sev), [0, 2, 3, 4, 5]);
  });

  test('maps technique enums with their parents, additional tactics, and unknown enums to labels', () => {
    const body = withPath(fixture(FIXTURE), 'finding.mitreAttack', {
      primaryTactic: 'RECONNAISSANCE',
      primaryTechniques: ['SCANNING_IP_BLOCKS', 'ACTIVE_SCANNING'],
      additionalTactics: ['DEFENSE_EVASION'],
      additionalTechniques: ['SOME_FUTURE_TECHNIQUE', 'T1562.001'],
      version: '8',
    });
    const alert = onlyAlert(gcpSccNormalizer.normalize(body, NOW));
    assert.deepEqual(attackKeys(alert), ['TA0043|T1595|T1595.001', 'TA0005||', '|T1562|T1562.001']);
    assert.equal(alert.finding_info.attacks?.[0].version, 'v8');
    assert.deepEqual(alert.metadata.labels, ['gcp-scc:SOME_FUTURE_TECHNIQUE']);
  });

  test('maps state and mute to status', () => {
    const inactive = onlyAlert(gcpSccNormalizer.normalize(withPath(fixture(FIXTURE), 'finding.state', 'INACTIVE'), NOW));
    assert.deepEqual([inactive.status_id, inactive.activity_id], [4, 3]);
    const muted = onlyAlert(gcpSccNormalizer.normalize(withPath(fixture(FIXTURE), 'finding.mute', 'MUTED'), NOW));
    assert.equal(muted.status_id, 3);
  });

  test('accepts a bare finding and arrays with a bad element', () => {
    const finding = fixture(FIXTURE)['finding'];
    assert.equal(onlyAlert(gcpSccNormalizer.normalize(finding, NOW)).finding_info.uid, NAME);
    const result = gcpSccNormalizer.normalize([fixture(FIXTURE), { nope: 1 }, push(fixture(FIXTURE))], NOW);
    assert.deepEqual(
      result.alerts.map((a) => a.index),
      [0, 2],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code]),
      [[1, 'unrecognized_payload']],
    );
  });

  test('names a mistyped finding name', () => {
    const body = withPath(fixture(FIXTURE), 'finding.name', 5);
    const result = gcpSccNormalizer.normalize(body, NOW);
    assert.deepEqual([result.failures[0].code, result.failures[0].details?.['path']], ['invalid_alert', 'finding.name']);
  });

  test('detects notifications and SCC pushes only', () => {
    assert.equal(gcpSccNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(gcpSccNormalizer.detect(push(fixture(FIXTURE))), true);
    assert.equal(gcpSccNormalizer.detect(push({ kind: 'storage#object' })), false);
    assert.equal(gcpSccNormalizer.detect(fixture('guardduty_eventbridge.json')), false);
  });
});

describe('documented Security Command Center services (test/fixtures/alerts/gcp-scc)', () => {
  const normalize = (file: string) => onlyAlert(gcpSccNormalizer.normalize(shapeFixture('gcp-scc', file), NOW));

  test('Event Threat Detection: the service account, the delegating user, the granted member, the key, an IPv6 caller', () => {
    expectShape(normalize('etd-iam-anomalous-grant.json'), {
      title: 'Persistence: IAM Anomalous Grant',
      severity_id: 4,
      time: '2026-03-08T09:14:07.201Z',
      attacks: ['TA0003|T1098|', 'TA0004||', '|T1098|T1098.003'],
      user: { name: 'ci-deployer@acme-prod-1234.iam.gserviceaccount.com', email_addr: 'ci-deployer@acme-prod-1234.iam.gserviceaccount.com' },
      observables: [
        'email:ci-deployer@acme-prod-1234.iam.gserviceaccount.com',
        'ip:2600:1900:2000:3a::11',
        'email:mallory.ext@gmail.example',
        'user:mallory.ext@gmail.example',
        'resource_uid://iam.googleapis.com/projects/acme-prod-1234/serviceAccounts/ci-deployer@acme-prod-1234.iam.gserviceaccount.com/keys/0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d',
        'resource_uid://cloudresourcemanager.googleapis.com/projects/987654321098',
      ],
      absent: ['user:user:mallory.ext@gmail.example'],
    });
  });

  test('Container Threat Detection: the added binary, its arguments and hash, the container image and the pod', () => {
    expectShape(normalize('ctd-added-binary-executed.json'), {
      title: 'Added Binary Executed',
      severity_id: 5,
      time: '2026-03-08T11:40:12.000Z',
      attacks: ['TA0002|T1106|'],
      observables: [
        'file_name:kdevtmpfsi',
        'command_line:/tmp/kdevtmpfsi -o pool.mining-example.org:3333',
        'sha256:cd2e4a1f0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e',
        'resource_uid:sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0',
        'resource_uid:shop/storefront-6d5c4b3a2-pq9rs',
      ],
    });
  });

  test('Security Health Analytics: a misconfiguration of a bucket, with no principal', () => {
    const alert = normalize('sha-public-bucket-acl.json');
    expectShape(alert, {
      title: 'PUBLIC_BUCKET_ACL',
      severity_id: 4,
      time: '2026-03-08T06:00:00.000Z',
      user: {},
      observables: ['resource_uid://storage.googleapis.com/acme-public-exports'],
    });
    assert.deepEqual(alert.finding_info.types, ['MISCONFIGURATION']);
  });

  test('VM Threat Detection in a Pub/Sub push: the instance as device, the miner and its pool connection', () => {
    const alert = normalize('vmtd-mining-hash-match-pubsub.json');
    expectShape(alert, {
      title: 'Execution: Cryptocurrency Mining Hash Match',
      severity_id: 5,
      time: '2026-03-08T13:05:00.000Z',
      attacks: ['TA0040|T1496|'],
      device: { hostname: 'batch-worker-07', instance_uid: '5566778899001122334' },
      observables: ['file_name:.sysupdate', 'command_line:/usr/lib/systemd/.sysupdate --donate-level=1', 'ip:198.51.100.99', 'ip:10.164.0.12'],
    });
    assert.equal(alert.metadata.original_event_uid, '11002233445566');
  });
});
