import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { epochToMs, firstTimestamp, parseTimestamp } from './timestamps.js';

const T = Date.UTC(2026, 2, 2, 10, 15, 30); // 2026-03-02T10:15:30Z

describe('parseTimestamp', () => {
  test('ISO with Z, with and without fraction', () => {
    assert.equal(parseTimestamp('2026-03-02T10:15:30Z'), T);
    assert.equal(parseTimestamp('2026-03-02T10:15:30.123Z'), T + 123);
    assert.equal(parseTimestamp('2026-03-02t10:15:30.5z'), T + 500);
  });

  test('seven fractional digits (Microsoft) truncate to milliseconds', () => {
    assert.equal(parseTimestamp('2026-03-02T10:15:30.1234567Z'), T + 123);
    assert.equal(parseTimestamp('2026-03-02T10:15:30.318262+0100'), T - 3_600_000 + 318);
  });

  test('offsets with a colon, without one, and hours only', () => {
    assert.equal(parseTimestamp('2026-03-02T11:15:30+01:00'), T);
    assert.equal(parseTimestamp('2026-03-02T11:15:30+0100'), T);
    assert.equal(parseTimestamp('2026-03-02T10:15:30.123+0000'), T + 123);
    assert.equal(parseTimestamp('2026-03-02T05:45:30-04:30'), T);
    assert.equal(parseTimestamp('2026-03-02T12:15:30+02'), T);
  });

  test('space separator and zone-less (read as UTC)', () => {
    assert.equal(parseTimestamp('2026-03-02 10:15:30'), T);
    assert.equal(parseTimestamp('2026-03-02T10:15:30'), T);
    assert.equal(parseTimestamp('2026-03-02 10:15:30 UTC'), T);
  });

  test('epoch seconds and milliseconds as numbers', () => {
    assert.equal(parseTimestamp(1772446530), 1772446530000);
    assert.equal(parseTimestamp(1772446530.25), 1772446530250);
    assert.equal(parseTimestamp(1772446805000), 1772446805000);
  });

  test('epoch values as strings, including microseconds and nanoseconds', () => {
    assert.equal(parseTimestamp('1772446530'), 1772446530000);
    assert.equal(parseTimestamp('1772446805000'), 1772446805000);
    assert.equal(parseTimestamp('1772446805000123'), 1772446805000);
    assert.equal(parseTimestamp(1772446805000123456), 1772446805000);
  });

  test('RFC 2822 dates', () => {
    assert.equal(parseTimestamp('Mon, 02 Mar 2026 10:15:30 GMT'), T);
  });

  test('absent, zero and garbage give undefined', () => {
    for (const v of [undefined, null, '', '   ', 0, -5, 'yesterday', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-03-02T25:00:00Z', {}, [], true, Number.NaN]) {
      assert.equal(parseTimestamp(v), undefined, String(v));
    }
  });
});

describe('epochToMs and firstTimestamp', () => {
  test('epochToMs picks the unit by magnitude', () => {
    assert.equal(epochToMs(1e9), 1e12);
    assert.equal(epochToMs(1.5e12), 1.5e12);
  });

  test('firstTimestamp returns the first parseable value', () => {
    assert.equal(firstTimestamp(undefined, 'nope', 0, '2026-03-02T10:15:30Z', 1), T);
    assert.equal(firstTimestamp(undefined, null), undefined);
  });
});
