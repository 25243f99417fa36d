import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, inputHash } from './enrichment-cache.js';

test('canonical JSON: key order does not matter, values do', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"x":1,"y":2}]},"b":1}');
  assert.equal(inputHash({ ip: '203.0.113.9', maxAgeInDays: 90 }), inputHash({ maxAgeInDays: 90, ip: '203.0.113.9' }));
  assert.notEqual(inputHash({ ip: '203.0.113.9', maxAgeInDays: 90 }), inputHash({ ip: '203.0.113.9', maxAgeInDays: 30 }));
  assert.equal(canonicalJson({ a: undefined, b: null }), '{"b":null}');
});
