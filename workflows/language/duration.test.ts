import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DURATION_PATTERN, formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  test('a positive whole number and a unit', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('1d'), 86_400_000);
    assert.equal(parseDuration('90s'), 90_000);
    for (const text of ['250ms', '30s', '5m', '2h', '1d', '10d']) assert.match(text, DURATION_PATTERN);
  });

  test('anything else is not a duration', () => {
    for (const text of ['0s', '-1s', '1.5s', '01s', ' 5s', '5s ', '5', 's', '', '5 s', '5S', '5w', '1e3ms', '+5s', '0ms']) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
      assert.doesNotMatch(text, DURATION_PATTERN, JSON.stringify(text));
    }
  });

  test('formatDuration gives the largest whole unit', () => {
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(1_500), '1500ms');
    assert.equal(formatDuration(30_000), '30s');
    assert.equal(formatDuration(90_000), '90s');
    assert.equal(formatDuration(300_000), '5m');
    assert.equal(formatDuration(7_200_000), '2h');
    assert.equal(formatDuration(86_400_000), '1d');
    assert.equal(formatDuration(172_800_000), '2d');
  });

  test('formatDuration refuses zero, negative and fractional milliseconds', () => {
    for (const ms of [0, -1, -30_000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(formatDuration(ms), undefined, String(ms));
  });

  test('formatDuration and parseDuration round trip', () => {
    for (const ms of [1, 250, 999, 1_000, 1_001, 61_000, 60_000, 3_600_000, 5_400_000, 86_400_000, 90_061_001]) {
      const text = formatDuration(ms);
      assert.ok(text !== undefined, String(ms));
      assert.equal(parseDuration(text), ms);
      assert.equal(formatDuration(parseDuration(text)!), text);
    }
    for (const text of ['250ms', '30s', '5m', '2h', '1d']) assert.equal(formatDuration(parseDuration(text)!), text);
  });
});
