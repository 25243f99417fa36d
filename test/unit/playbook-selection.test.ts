import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { AlertSource, CanonicalAlert } from '../../src/common/canonical-alert.js';
import { NORMALIZERS } from '../../src/alerts/normalizers/index.js';
import { BUNDLED_PLAYBOOKS_DIR } from '../../src/config/project-paths.js';
import { actionCatalogForValidation } from '../../src/playbooks/action-catalog-view.js';
import { selectPlaybook } from '../../src/playbooks/playbook-selector.js';
import { vigilObservables } from '../../src/alerts/normalizers/finding-observables.js';
import { type LoadedPlaybook, loadPlaybookDirectory } from '../../src/playbooks/validation/index.js';
import { readFixtureJson } from '../support/fixtures.js';

function normalize(source: AlertSource, body: unknown): CanonicalAlert {
  const result = NORMALIZERS.get(source)!.normalize(body, Date.UTC(2026, 2, 2));
  assert.ok(result.alerts[0], `the ${source} payload normalises`);
  return result.alerts[0].alert;
}

/** Each shared fixture, and the bundled playbook its alert should start. */
const FIXTURES: ReadonlyArray<[file: string, source: AlertSource, playbook: string]> = [
  ['crowdstrike_stream_detection_summary.json', 'crowdstrike', 'edr-malware'],
  ['mde_alert_legacy.json', 'defender', 'edr-malware'],
  ['msgraph_alert_v2.json', 'graph', 'edr-malware'],
  ['ocsf_detection_finding.json', 'ocsf', 'edr-malware'],
  ['elastic_kibana_webhook_body.json', 'elastic', 'edr-malware'],
  ['gcp_scc_notification_decoded.json', 'gcp-scc', 'c2-beaconing'],
  ['suricata_eve_alert.json', 'suricata', 'c2-beaconing'],
  ['guardduty_eventbridge.json', 'guardduty', 'guardduty-compromised-instance'],
  ['wazuh_alert.json', 'wazuh', 'brute-force'],
  // No hash, no ATT&CK mapping Vigil's specific playbooks claim: default triage.
  ['sentinel_incident.json', 'sentinel', 'default'],
  ['splunk_webhook.json', 'splunk', 'default'],
];

describe('selection over the bundled playbooks', () => {
  let bundled: LoadedPlaybook[];

  before(async () => {
    const loaded = await loadPlaybookDirectory(BUNDLED_PLAYBOOKS_DIR, actionCatalogForValidation());
    assert.deepEqual(loaded.errors, [], 'every bundled playbook is valid');
    bundled = loaded.playbooks;
  });

  test('the bundled set is the one documented', () => {
    assert.deepEqual(bundled.map((p) => p.playbook.id).sort(), ['brute-force', 'c2-beaconing', 'default', 'edr-malware', 'guardduty-compromised-instance', 'phishing-triage']);
  });

  for (const [file, source, expected] of FIXTURES) {
    test(`${file} (${source}) → ${expected}`, () => {
      const alert = normalize(source, readFixtureJson('alerts', file));
      assert.equal(selectPlaybook(bundled, alert, source, 'acme', vigilObservables(alert))?.playbook.id, expected);
    });
  }

  test('a reported phishing e-mail → phishing-triage', () => {
    const alert = normalize('generic', {
      title: 'User reported phishing: "Invoice overdue"',
      severity: 'medium',
      techniques: ['T1566.002'],
      observables: [
        { type: 'email', value: 'billing@phish-example.net' },
        { type: 'url', value: 'https://phish-example.net/login' },
      ],
    });
    assert.equal(selectPlaybook(bundled, alert, 'generic', 'acme', vigilObservables(alert))?.playbook.id, 'phishing-triage');
  });

  test('credential stuffing from a generic source → brute-force; too low a severity → default', () => {
    const stuffing = { title: 'Password spray against VPN', severity: 'medium', techniques: ['T1110.003'], observables: [{ type: 'ip', value: '203.0.113.50' }] };
    assert.equal(selectPlaybook(bundled, normalize('generic', stuffing), 'generic', 'acme', vigilObservables(normalize('generic', stuffing)))?.playbook.id, 'brute-force');
    assert.equal(
      selectPlaybook(
        bundled,
        normalize('generic', { ...stuffing, severity: 'informational' }),
        'generic',
        'acme',
        vigilObservables(normalize('generic', { ...stuffing, severity: 'informational' })),
      )?.playbook.id,
      'default',
    );
  });

  test('a GuardDuty finding wins over the more general playbooks it also matches', () => {
    const alert = normalize('guardduty', readFixtureJson('alerts', 'guardduty_eventbridge.json'));
    const matching = bundled.filter((p) => selectPlaybook([p], alert, 'guardduty', 'acme', vigilObservables(alert)) !== undefined).map((p) => p.playbook.id);
    assert.ok(matching.includes('default') && matching.length >= 2, `several match: ${matching.join(', ')}`);
    assert.equal(selectPlaybook(bundled, alert, 'guardduty', 'acme', vigilObservables(alert))?.playbook.id, 'guardduty-compromised-instance');
  });
});
