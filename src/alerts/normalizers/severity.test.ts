import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  severityFromCrowdStrikeScore,
  severityFromCrowdStrikeStream,
  severityFromElasticRisk,
  severityFromGuardDuty,
  severityFromName,
  severityFromOcsfId,
  severityFromSuricata,
  severityFromVendorName,
  severityFromWazuhLevel,
} from './severity.js';

describe('vendor severity scales', () => {
  test('GuardDuty 1.0–10.0 at both ends and every boundary', () => {
    assert.equal(severityFromGuardDuty(1.0), 2);
    assert.equal(severityFromGuardDuty(3.9), 2);
    assert.equal(severityFromGuardDuty(4.0), 3);
    assert.equal(severityFromGuardDuty(6.9), 3);
    assert.equal(severityFromGuardDuty(7.0), 4);
    assert.equal(severityFromGuardDuty(8.9), 4);
    assert.equal(severityFromGuardDuty(9.0), 5);
    assert.equal(severityFromGuardDuty(10.0), 5);
    assert.equal(severityFromGuardDuty(Number.NaN), 0);
  });

  test('Wazuh rule.level 0 and 16 and the band edges', () => {
    assert.equal(severityFromWazuhLevel(0), 1);
    assert.equal(severityFromWazuhLevel(3), 1);
    assert.equal(severityFromWazuhLevel(4), 2);
    assert.equal(severityFromWazuhLevel(7), 3);
    assert.equal(severityFromWazuhLevel(11), 3);
    assert.equal(severityFromWazuhLevel(12), 4);
    assert.equal(severityFromWazuhLevel(15), 5);
    assert.equal(severityFromWazuhLevel(16), 5);
  });

  test('Suricata 1 (most severe) to 255', () => {
    assert.equal(severityFromSuricata(1), 4);
    assert.equal(severityFromSuricata(2), 3);
    assert.equal(severityFromSuricata(3), 2);
    assert.equal(severityFromSuricata(4), 1);
    assert.equal(severityFromSuricata(255), 1);
    assert.equal(severityFromSuricata(0), 0);
  });

  test('CrowdStrike stream 1–5', () => {
    assert.equal(severityFromCrowdStrikeStream(1), 1);
    assert.equal(severityFromCrowdStrikeStream(2), 2);
    assert.equal(severityFromCrowdStrikeStream(3), 3);
    assert.equal(severityFromCrowdStrikeStream(4), 4);
    assert.equal(severityFromCrowdStrikeStream(5), 5);
  });

  test('CrowdStrike alerts 0–100', () => {
    assert.equal(severityFromCrowdStrikeScore(0), 1);
    assert.equal(severityFromCrowdStrikeScore(19), 1);
    assert.equal(severityFromCrowdStrikeScore(20), 2);
    assert.equal(severityFromCrowdStrikeScore(50), 3);
    assert.equal(severityFromCrowdStrikeScore(70), 4);
    assert.equal(severityFromCrowdStrikeScore(100), 5);
  });

  test('Elastic risk_score 0–100 with Elastic default bands', () => {
    assert.equal(severityFromElasticRisk(0), 2);
    assert.equal(severityFromElasticRisk(21), 2);
    assert.equal(severityFromElasticRisk(47), 3);
    assert.equal(severityFromElasticRisk(73), 4);
    assert.equal(severityFromElasticRisk(74), 5);
    assert.equal(severityFromElasticRisk(100), 5);
  });

  test('names in every vendor spelling', () => {
    assert.equal(severityFromVendorName('unknown'), 0); // Graph low end
    assert.equal(severityFromVendorName('high'), 4); // Graph high end (no critical)
    assert.equal(severityFromVendorName('UnSpecified'), 0); // MDE low end
    assert.equal(severityFromVendorName('Informational'), 1);
    assert.equal(severityFromVendorName('SEVERITY_UNSPECIFIED'), 0); // SCC
    assert.equal(severityFromVendorName('CRITICAL'), 5);
    assert.equal(severityFromVendorName('low'), 2); // Elastic low end
    assert.equal(severityFromVendorName('critical'), 5); // Elastic high end
    assert.equal(severityFromVendorName('something else'), 0);
    assert.equal(severityFromName('info'), 1);
    assert.equal(severityFromName(4), undefined);
  });

  test('OCSF ids 0–6 and 99 only', () => {
    assert.equal(severityFromOcsfId(0), 0);
    assert.equal(severityFromOcsfId(6), 6);
    assert.equal(severityFromOcsfId(99), 99);
    assert.equal(severityFromOcsfId(7), undefined);
    assert.equal(severityFromOcsfId(2.5), undefined);
    assert.equal(severityFromOcsfId('4'), undefined);
  });
});
