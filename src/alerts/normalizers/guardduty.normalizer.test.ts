import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { guardDutyNormalizer } from './guardduty.normalizer.js';
import { assertNamesArePaths, attackKeys, expectShape, fixture, NOW, observed, onlyAlert, shapeFixture, vigilOf, withPath } from '../../../test/support/normalizer-testing.js';

const FIXTURE = 'guardduty_eventbridge.json';

function sns(message: unknown, type = 'Notification'): Record<string, unknown> {
  return {
    Type: type,
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: 'arn:aws:sns:eu-west-1:111122223333:guardduty-findings',
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-03-02T10:15:31.000Z',
    SignatureVersion: '2',
    Signature: 'EXAMPLE',
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem',
  };
}

describe('guardduty normaliser', () => {
  test('maps the EventBridge fixture', () => {
    const result = guardDutyNormalizer.normalize(fixture(FIXTURE), NOW);
    const alert = onlyAlert(result);
    assert.equal(alert.finding_info.uid, 'a2c4e6f8b0d2f4a6c8e0a2c4e6f8b0d2');
    assert.equal(alert.finding_info.title, '198.51.100.77 is performing SSH brute force attacks against i-0a1b2c3d4e5f60718.');
    assert.equal(alert.severity_id, 3);
    assert.equal(alert.severity, 'Medium');
    assert.equal(alert.time, Date.UTC(2026, 2, 2, 10, 15, 2, 441));
    assert.equal(alert.finding_info.created_time, Date.UTC(2026, 2, 2, 10, 0, 3, 117));
    assert.equal(alert.finding_info.first_seen_time, Date.UTC(2026, 2, 2, 9, 58, 11));
    assert.equal(alert.finding_info.last_seen_time, Date.UTC(2026, 2, 2, 10, 14, 52));
    assert.deepEqual(alert.finding_info.types, ['UnauthorizedAccess:EC2/SSHBruteForce']);
    assert.equal(alert.unmapped?.['count'], 27);
    assert.equal(alert.unmapped?.['region'], 'eu-west-1');
    assert.deepEqual(alert.metadata.product, { name: 'GuardDuty', vendor_name: 'AWS' });
    assert.equal(alert.metadata.log_name, 'GuardDuty Finding');
    assert.equal(alert.metadata.original_event_uid, '6f1c2a7e-3b1d-4c2e-9a1b-0d2e3f4a5b6c');
    assert.deepEqual(alert.device, {
      type_id: 6,
      type: 'Virtual',
      network_interfaces: [{ hostname: 'ec2-203-0-113-10.eu-west-1.compute.amazonaws.com', ip: '203.0.113.10', type: 'Unknown', type_id: 0 }],
      region: 'eu-west-1',
      uid: 'i-0a1b2c3d4e5f60718',
      instance_uid: 'i-0a1b2c3d4e5f60718',
      hostname: 'ip-10-20-30-40.eu-west-1.compute.internal',
      ip: '10.20.30.40',
      name: 'bastion-01',
    });
    assert.deepEqual(observed(alert), [
      'hostname:ip-10-20-30-40.eu-west-1.compute.internal',
      'ip:10.20.30.40',
      'ip:203.0.113.10',
      'hostname:ec2-203-0-113-10.eu-west-1.compute.amazonaws.com',
      'ip:198.51.100.77',
      'resource_uid:i-0a1b2c3d4e5f60718',
    ]);
    const remote = vigilOf(alert).find((o) => o.value === '198.51.100.77');
    assert.equal(remote?.is_private, false);
    assert.equal(remote?.name, 'evidences[0].src_endpoint.ip');
    assertNamesArePaths(alert);
    assert.equal(vigilOf(alert).find((o) => o.value === '10.20.30.40')?.is_private, true);
    assert.deepEqual(alert.finding_info.attacks, undefined);
    assert.equal(alert.class_uid, 2004);
    assert.equal(alert.type_uid, 200401);
    assert.equal(alert.status_id, 1);
  });

  test('reads the SNS HTTP delivery whose Message is the event as JSON text', () => {
    const event = fixture(FIXTURE);
    const result = guardDutyNormalizer.normalize(sns(event), NOW);
    const alert = onlyAlert(result);
    assert.equal(alert.finding_info.uid, 'a2c4e6f8b0d2f4a6c8e0a2c4e6f8b0d2');
    assert.equal(alert.unmapped?.['count'], 27);
    assert.deepEqual(result.alerts[0].raw, event);
  });

  test('acknowledges SubscriptionConfirmation with its SubscribeURL and creates no alert', () => {
    const body = {
      ...sns('You have chosen to subscribe to the topic arn:aws:sns:eu-west-1:111122223333:guardduty-findings.', 'SubscriptionConfirmation'),
      Token: '2336412f37fb687f5d51e6e2425c464de12884c2',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:111122223333:guardduty-findings&Token=2336412f',
    };
    const result = guardDutyNormalizer.normalize(body, NOW);
    assert.deepEqual(result.alerts, []);
    assert.deepEqual(result.failures, []);
    assert.equal(result.acknowledgement?.kind, 'sns_subscription_confirmation');
    assert.equal(result.acknowledgement?.details?.['SubscribeURL'], body.SubscribeURL);
    assert.equal(result.acknowledgement?.details?.['TopicArn'], 'arn:aws:sns:eu-west-1:111122223333:guardduty-findings');
  });

  test('acknowledges UnsubscribeConfirmation', () => {
    const body = { ...sns('unsubscribed', 'UnsubscribeConfirmation'), SubscribeURL: 'https://sns.example/?Action=ConfirmSubscription' };
    const result = guardDutyNormalizer.normalize(body, NOW);
    assert.equal(result.acknowledgement?.kind, 'sns_unsubscribe_confirmation');
    assert.equal(result.alerts.length, 0);
  });

  test('fails an SNS notification whose Message is not JSON', () => {
    const result = guardDutyNormalizer.normalize(sns('{not json'), NOW);
    assert.equal(result.alerts.length, 0);
    assert.equal(result.failures[0].code, 'invalid_alert');
    assert.equal(result.failures[0].details?.['path'], 'Message');
    assert.equal(result.failures[0].details?.['reason'], 'invalid_json');
  });

  test('accepts a bare finding and a {findings: [...]} list', () => {
    const detail = fixture(FIXTURE)['detail'];
    assert.equal(onlyAlert(guardDutyNormalizer.normalize(detail, NOW)).finding_info.uid, 'a2c4e6f8b0d2f4a6c8e0a2c4e6f8b0d2');
    const second = withPath(detail, 'id', 'b0000000000000000000000000000001');
    const result = guardDutyNormalizer.normalize({ findings: [detail, second] }, NOW);
    assert.deepEqual(
      result.alerts.map((a) => a.alert.finding_info.uid),
      ['a2c4e6f8b0d2f4a6c8e0a2c4e6f8b0d2', 'b0000000000000000000000000000001'],
    );
  });

  test('maps both ends of the 1.0–10.0 severity scale', () => {
    const cases: Array<[number, number]> = [
      [1.0, 2],
      [3.9, 2],
      [4.0, 3],
      [7.0, 4],
      [8.9, 4],
      [9.0, 5],
      [10.0, 5],
    ];
    for (const [gd, ocsf] of cases) {
      const alert = onlyAlert(guardDutyNormalizer.normalize(withPath(fixture(FIXTURE), 'detail.severity', gd), NOW));
      assert.equal(alert.severity_id, ocsf, `GuardDuty ${gd}`);
    }
  });

  test('a re-sent finding keeps its uid and exposes the higher count', () => {
    const first = onlyAlert(guardDutyNormalizer.normalize(fixture(FIXTURE), NOW));
    const again = onlyAlert(guardDutyNormalizer.normalize(withPath(fixture(FIXTURE), 'detail.service.count', 28), NOW));
    assert.equal(again.finding_info.uid, first.finding_info.uid);
    assert.equal(again.unmapped?.['count'], 28);
  });

  test('keeps good items of a batch and reports the bad one by index and path', () => {
    const bad = withPath(fixture(FIXTURE), 'detail.id', 42);
    const result = guardDutyNormalizer.normalize([fixture(FIXTURE), bad, { hello: 'world' }], NOW);
    assert.deepEqual(
      result.alerts.map((a) => a.index),
      [0],
    );
    assert.deepEqual(
      result.failures.map((f) => [f.index, f.code, f.details?.['path']]),
      [
        [1, 'invalid_alert', 'detail.id'],
        [2, 'unrecognized_payload', undefined],
      ],
    );
  });

  test('rejects a mistyped severity', () => {
    const result = guardDutyNormalizer.normalize(withPath(fixture(FIXTURE), 'detail.severity', 'high'), NOW);
    assert.equal(result.failures[0].details?.['path'], 'detail.severity');
  });

  test('maps a threat purpose that is an ATT&CK tactic', () => {
    const alert = onlyAlert(guardDutyNormalizer.normalize(withPath(fixture(FIXTURE), 'detail.type', 'CredentialAccess:IAMUser/AnomalousBehavior'), NOW));
    assert.deepEqual(attackKeys(alert), ['TA0006||']);
  });

  test('reads DNS, API-call and access-key details', () => {
    let body = withPath(fixture(FIXTURE), 'detail.service.action', {
      actionType: 'DNS_REQUEST',
      dnsRequestAction: { domain: 'pool.minexmr.example', protocol: 'UDP', blocked: false },
    });
    body = withPath(body, 'detail.resource.accessKeyDetails', { userName: 'deploy-bot', principalId: 'AIDAEXAMPLE' });
    const alert = onlyAlert(guardDutyNormalizer.normalize(body, NOW));
    assert.ok(observed(alert).includes('domain:pool.minexmr.example'));
    assert.ok(observed(alert).includes('user:deploy-bot'));
    assert.deepEqual(alert.actor, { user: { name: 'deploy-bot', uid: 'AIDAEXAMPLE' } });
  });

  test('uses now only when the finding carries no time at all', () => {
    let body = withPath(fixture(FIXTURE), 'detail.updatedAt', undefined);
    body = withPath(body, 'detail.createdAt', undefined);
    body = withPath(body, 'time', undefined);
    assert.equal(onlyAlert(guardDutyNormalizer.normalize(body, NOW)).time, NOW);
    const eventOnly = withPath(withPath(fixture(FIXTURE), 'detail.updatedAt', undefined), 'time', '2026-03-02T10:15:30Z');
    assert.equal(onlyAlert(guardDutyNormalizer.normalize(eventOnly, NOW)).time, Date.UTC(2026, 2, 2, 10, 15, 30));
  });

  test('rejects __proto__ keys and too-deep nesting per item', () => {
    const text = JSON.stringify(fixture(FIXTURE)).replace('"partition":"aws"', '"__proto__":{"admin":true}');
    const result = guardDutyNormalizer.normalize(JSON.parse(text) as unknown, NOW);
    assert.equal(result.alerts.length, 0);
    assert.equal(result.failures[0].code, 'invalid_alert');
    assert.equal(result.failures[0].details?.['reason'], 'forbidden_key');
    assert.equal(result.failures[0].details?.['path'], 'detail.__proto__');

    let deep: unknown = 'x';
    for (let i = 0; i < 70; i++) deep = { d: deep };
    const tooDeep = guardDutyNormalizer.normalize(withPath(fixture(FIXTURE), 'detail.service.additionalInfo', deep), NOW);
    assert.equal(tooDeep.failures[0].details?.['reason'], 'too_deep');
  });

  test('reports an unrecognisable body once', () => {
    assert.deepEqual(
      guardDutyNormalizer.normalize({ source: 'aws.ec2' }, NOW).failures.map((f) => [f.index, f.code]),
      [[0, 'unrecognized_payload']],
    );
    assert.equal(guardDutyNormalizer.normalize(null, NOW).failures[0].code, 'unrecognized_payload');
  });

  test('detects EventBridge, SNS and bare findings, not others', () => {
    assert.equal(guardDutyNormalizer.detect(fixture(FIXTURE)), true);
    assert.equal(guardDutyNormalizer.detect(sns(fixture(FIXTURE))), true);
    assert.equal(guardDutyNormalizer.detect(sns('hello', 'SubscriptionConfirmation')), true);
    assert.equal(guardDutyNormalizer.detect(sns({ other: 'payload' })), false);
    assert.equal(guardDutyNormalizer.detect(fixture('splunk_webhook.json')), false);
  });
});

describe('documented GuardDuty resource types (test/fixtures/alerts/guardduty)', () => {
  const normalize = (file: string) => onlyAlert(guardDutyNormalizer.normalize(shapeFixture('guardduty', file), NOW));

  test('AccessKey: the assumed role is the user, its ASIA key its credential, the caller the source', () => {
    const alert = normalize('accesskey-iam-exfiltration.json');
    expectShape(alert, {
      title: 'Credentials for instance role app-server-role used from external IP address.',
      severity_id: 4,
      time: '2026-03-07T08:00:12.552Z',
      rule: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      user: { name: 'app-server-role', uid: 'AROAZ3EXAMPLEROLEID:i-0a1b2c3d4e5f60718', credential_uid: 'ASIAZ3EXAMPLE7KEY123' },
      observables: ['user:app-server-role', 'credential_uid:ASIAZ3EXAMPLE7KEY123', 'ip:198.51.100.61'],
      absent: ['resource_uid:ASIAZ3EXAMPLE7KEY123'],
    });
    assert.equal(alert.unmapped?.count, 4);
  });

  test('S3Bucket: the bucket ARN, the IAM user and its AKIA key, an IPv6 caller', () => {
    expectShape(normalize('s3-bucket-malicious-caller.json'), {
      title: 'S3 API GetBucketAcl was invoked from a known malicious IP address.',
      severity_id: 3,
      time: '2026-03-07T03:15:20.000Z',
      attacks: ['TA0007||'],
      observables: ['resource_uid:arn:aws:s3:::acme-prod-invoices', 'user:ci-uploader', 'credential_uid:AKIAIOSFODNN7EXAMPLE', 'ip:2001:db8:dead:beef::66'],
    });
  });

  test('EKSCluster: the cluster ARN, the Kubernetes user and the API caller', () => {
    expectShape(normalize('eks-cluster-anonymous-access.json'), {
      title: 'Anonymous access granted to Kubernetes cluster payments-prod.',
      severity_id: 4,
      time: '2026-03-07T10:19:31.000Z',
      observables: ['resource_uid:arn:aws:eks:eu-central-1:123456789012:cluster/payments-prod', 'user:kubernetes-admin', 'ip:203.0.113.120'],
    });
  });

  test('Container (Runtime Monitoring): the binary with its hash and lineage, the writer, the pod and container', () => {
    const alert = normalize('runtime-container-new-binary.json');
    expectShape(alert, {
      title: 'A newly created or recently modified binary file has been executed in container checkout.',
      severity_id: 3,
      time: '2026-03-07T11:03:12.000Z',
      attacks: ['TA0002||'],
      device: { instance_uid: 'i-0b1c2d3e4f5a60718', ip: '10.20.3.41' },
      observables: [
        'file_name:xmrig',
        'sha256:a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3',
        'file_name:sh',
        'file_name:node',
        'file_name:curl',
        'resource_uid:5f4e3d2c-1b0a-4f9e-8d7c-6b5a4f3e2d1c',
        'resource_uid:0123abcd4567ef890123abcd4567ef890123abcd4567ef890123abcd4567ef89',
      ],
    });
    assert.equal(alert.evidences?.[0]?.process?.parent_process?.pid, 4100);
  });

  test('Lambda: the function and its execution role, the C2 connection', () => {
    expectShape(normalize('lambda-c2-activity.json'), {
      title: 'Lambda function invoice-render is querying an IP address associated with a known command and control server.',
      severity_id: 4,
      time: '2026-03-07T12:10:00.000Z',
      observables: [
        'resource_uid:arn:aws:lambda:us-east-1:123456789012:function:invoice-render',
        'resource_uid:arn:aws:iam::123456789012:role/invoice-render-exec',
        'ip:198.51.100.23',
        'ip:10.30.1.17',
      ],
    });
  });

  test('RDSDBInstance: the database, its user and the login source', () => {
    expectShape(normalize('rds-anomalous-login.json'), {
      title: 'User report_ro logged in to orders-db-1 in an anomalous way.',
      severity_id: 3,
      time: '2026-03-07T14:35:00.000Z',
      attacks: ['TA0006||'],
      observables: ['resource_uid:arn:aws:rds:eu-west-1:123456789012:db:orders-db-1', 'user:report_ro', 'ip:192.0.2.140'],
    });
  });

  test('ECSCluster on Fargate: cluster, task, container image, the DNS request and the process', () => {
    expectShape(normalize('ecs-fargate-crypto.json'), {
      title: 'ECS task in cluster batch-jobs is querying a domain name associated with Bitcoin-related activity.',
      severity_id: 4,
      time: '2026-03-07T16:46:00.000Z',
      observables: [
        'resource_uid:arn:aws:ecs:us-west-2:123456789012:cluster/batch-jobs',
        'resource_uid:arn:aws:ecs:us-west-2:123456789012:task/batch-jobs/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
        'domain:pool.minexmr-example.net',
        'file_name:python3.12',
      ],
    });
  });

  test('an archived sample finding is acknowledged; the same sample not archived is still ingested', () => {
    const body = shapeFixture('guardduty', 'sample-finding-archived.json');
    const result = guardDutyNormalizer.normalize(body, NOW);
    assert.deepEqual([result.alerts.length, result.failures.length, result.acknowledgement?.kind], [0, 0, 'nothing_to_ingest']);
    assert.deepEqual(result.acknowledgement?.details?.reasons, ['GuardDuty sample finding, archived']);
    assert.equal(guardDutyNormalizer.normalize(withPath(body, 'detail.service.archived', false), NOW).alerts.length, 1);
  });
});
