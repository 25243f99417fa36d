import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, parseDuration } from './durations.js';

describe('SLA durations', () => {
  test('ISO 8601 durations become seconds and come back canonical', () => {
    assert.deepEqual(parseDuration('PT15M'), { seconds: 900 });
    assert.deepEqual(parseDuration('P1W'), { seconds: 7 * 86_400 });
    assert.equal(formatDuration(900), 'PT15M');
    assert.equal(formatDuration(26 * 3600 + 30), 'P1DT2H30S');
    assert.equal(formatDuration(0), 'PT0S');
    for (const s of [1, 59, 3600, 86_400, 90_061]) assert.deepEqual(parseDuration(formatDuration(s)), { seconds: s });
  });

  test('refuses what is not a positive, fixed-length, whole-second duration', () => {
    for (const bad of ['PT0S', '-PT5M', 'P1M', 'P1Y', 'PT1.5S', '15m', '', 'P20Y']) assert.ok('error' in parseDuration(bad), bad);
    assert.deepEqual(parseDuration('PT0S', { positive: false }), { seconds: 0 });
  });
});
