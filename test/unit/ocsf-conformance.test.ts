/**
 * Conformance: every finding Vigil's normalisers produce from every alert fixture (shared and
 * test/fixtures/alerts/<source>/<shape>.json) is a valid OCSF 1.8.0 Detection Finding, checked by the
 * validator built from the official schema files. Pure: no database, no Temporal.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ALERT_SOURCES } from '../../src/common/canonical-alert.js';
import { NORMALIZERS } from '../../src/alerts/normalizers/index.js';
import { checkFixture, listAlertFixtures } from '../support/ocsf-conformance.js';
import { formatOcsfIssues } from '../support/ocsf-validator.js';

const fixtures = listAlertFixtures();

describe('OCSF 1.8.0 conformance of every normaliser', () => {
  test('there are fixtures, and every normaliser has at least one', () => {
    assert.ok(fixtures.length > 0, 'no alert fixtures found (set VIGIL_FIXTURES_DIR)');
    const covered = new Set(fixtures.map((f) => f.source));
    const missing = [...NORMALIZERS.keys()].filter((source) => !covered.has(source));
    assert.deepEqual(missing, [], `normalisers without a fixture: ${missing.join(', ')}`);
    assert.equal(NORMALIZERS.size, ALERT_SOURCES.length);
  });

  for (const fixture of fixtures) {
    test(`${fixture.label} (${fixture.source ?? 'no source'})`, () => {
      assert.ok(fixture.source !== undefined, `${fixture.label}: no normaliser claims it (shared fixtures are auto-detected; local ones need a <source>/ folder)`);
      const result = checkFixture(fixture);
      if (result.acknowledged) return;
      assert.deepEqual(result.failures, [], `${fixture.label}: the ${fixture.source} normaliser refused items`);
      assert.ok(result.findings.length > 0, `${fixture.label}: no finding produced`);
      const invalid = result.findings.filter((finding) => finding.issues.length > 0);
      const report = invalid
        .map((finding) => `item ${finding.index} (finding_info.uid ${finding.uid}), ${finding.issues.length} issues:\n${formatOcsfIssues(finding.issues)}`)
        .join('\n');
      assert.equal(invalid.length, 0, `${fixture.label}: ${invalid.length} of ${result.findings.length} findings are not valid OCSF 1.8.0 Detection Findings\n${report}`);
    });
  }
});
