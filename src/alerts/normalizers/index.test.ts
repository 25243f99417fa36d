import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERT_SOURCES, type AlertSource } from '../../common/canonical-alert.js';
import { DETECTION_ORDER, detectSource, NORMALIZERS } from './index.js';
import { fixture, NOW } from '../../../test/support/normalizer-testing.js';

const FIXTURE_SOURCES: Array<[string, AlertSource]> = [
  ['crowdstrike_stream_detection_summary.json', 'crowdstrike'],
  ['elastic_kibana_webhook_body.json', 'elastic'],
  ['gcp_scc_notification_decoded.json', 'gcp-scc'],
  ['guardduty_eventbridge.json', 'guardduty'],
  ['mde_alert_legacy.json', 'defender'],
  ['msgraph_alert_v2.json', 'graph'],
  ['ocsf_detection_finding.json', 'ocsf'],
  ['sentinel_incident.json', 'sentinel'],
  ['splunk_webhook.json', 'splunk'],
  ['suricata_eve_alert.json', 'suricata'],
  ['wazuh_alert.json', 'wazuh'],
];

describe('NORMALIZERS', () => {
  test('has exactly one normaliser per source key, each claiming its key', () => {
    assert.deepEqual([...NORMALIZERS.keys()].sort(), [...ALERT_SOURCES].sort());
    for (const [source, normalizer] of NORMALIZERS) assert.equal(normalizer.source, source);
    assert.deepEqual([...DETECTION_ORDER].sort(), [...ALERT_SOURCES].sort());
    assert.equal(DETECTION_ORDER[DETECTION_ORDER.length - 1], 'generic');
  });

  test('every normaliser turns its fixture into one alert', () => {
    for (const [file, source] of FIXTURE_SOURCES) {
      const result = NORMALIZERS.get(source)?.normalize(fixture(file), NOW);
      assert.equal(result?.alerts.length, 1, file);
      assert.deepEqual(result?.failures, [], file);
    }
  });

  test('no normaliser throws on hostile or empty bodies', () => {
    const bodies: unknown[] = [null, undefined, 42, true, '', 'x', '{"a":', [], [null], {}, { value: null }, { alerts: 'x' }, { resources: [1] }, { message: { data: 5 } }];
    for (const [source, normalizer] of NORMALIZERS) {
      for (const body of bodies) {
        const result = normalizer.normalize(body, NOW);
        assert.equal(result.alerts.length, 0, `${source} ${JSON.stringify(body)}`);
        assert.ok(result.failures.length > 0 || result.acknowledgement !== undefined, `${source} ${JSON.stringify(body)}`);
        assert.doesNotThrow(() => normalizer.detect(body));
      }
    }
  });
});

describe('detectSource', () => {
  test('recognises every fixture', () => {
    for (const [file, source] of FIXTURE_SOURCES) assert.equal(detectSource(fixture(file)), source, file);
  });

  test('recognises the wrapped deliveries', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
    const cases: Array<[unknown, AlertSource]> = [
      [{ Type: 'Notification', TopicArn: 'arn:aws:sns:eu-west-1:1:t', Message: JSON.stringify(fixture('guardduty_eventbridge.json')) }, 'guardduty'],
      [{ Type: 'SubscriptionConfirmation', TopicArn: 'arn:aws:sns:eu-west-1:1:t', Message: 'confirm', SubscribeURL: 'https://sns.example/' }, 'guardduty'],
      [{ message: { data: b64(fixture('gcp_scc_notification_decoded.json')), messageId: '1' }, subscription: 's' }, 'gcp-scc'],
      [{ severity: 3, pretext: 'WAZUH Alert', id: '1.2', all_fields: fixture('wazuh_alert.json') }, 'wazuh'],
      [`${JSON.stringify(fixture('suricata_eve_alert.json'))}\n${JSON.stringify(fixture('suricata_eve_alert.json'))}\n`, 'suricata'],
      [{ value: [fixture('msgraph_alert_v2.json')] }, 'graph'],
      [{ value: [fixture('mde_alert_legacy.json')] }, 'defender'],
      [{ object: fixture('sentinel_incident.json'), workspaceId: 'w' }, 'sentinel'],
      [{ resources: [{ composite_id: 'c:ind:1', severity_name: 'High' }] }, 'crowdstrike'],
      [{ context: { alerts: [{ 'kibana.alert.uuid': 'u', 'kibana.alert.rule.name': 'r' }] } }, 'elastic'],
      [[fixture('splunk_webhook.json')], 'splunk'],
      [[fixture('ocsf_detection_finding.json')], 'ocsf'],
      [{ title: 'Disk wiped', severity: 'critical' }, 'generic'],
      [{ alerts: [{ title: 'Disk wiped', severity: 'critical' }] }, 'generic'],
      [[{ title: 'Disk wiped', severity: 5 }], 'generic'],
    ];
    for (const [body, source] of cases) assert.equal(detectSource(body), source, source);
  });

  test('recognises JSON and NDJSON text bodies', () => {
    const line = (file: string) => JSON.stringify(fixture(file));
    assert.equal(detectSource(line('splunk_webhook.json')), 'splunk');
    assert.equal(detectSource(`${line('crowdstrike_stream_detection_summary.json')}\n${line('crowdstrike_stream_detection_summary.json')}\n`), 'crowdstrike');
    assert.equal(detectSource(`${line('wazuh_alert.json')}\r\n${line('wazuh_alert.json')}`), 'wazuh');
    assert.equal(detectSource(`${line('splunk_webhook.json')}\n${line('splunk_webhook.json')}`), undefined);
    assert.equal(detectSource('not json\nat all'), undefined);
  });

  test('recognises nothing in unrelated bodies', () => {
    for (const body of [null, 42, 'hello', {}, [], { foo: 'bar' }, { message: { data: Buffer.from('{"kind":"storage"}').toString('base64') }, subscription: 's' }]) {
      assert.equal(detectSource(body), undefined, JSON.stringify(body));
    }
  });
});
