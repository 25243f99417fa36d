import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliveryItemCount } from './delivery-size.js';

describe('deliveryItemCount', () => {
  test('counts lists, known wrappers and NDJSON lines; anything else is one item', () => {
    assert.equal(deliveryItemCount([1, 2, 3]), 3);
    assert.equal(deliveryItemCount({ alerts: [1, 2] }), 2);
    assert.equal(deliveryItemCount({ value: [1, 2, 3, 4] }), 4);
    assert.equal(deliveryItemCount({ context: { alerts: [1, 2, 3] } }), 3);
    assert.equal(deliveryItemCount({ alerts: { new: { data: [1, 2] }, ongoing: { data: [3] }, recovered: { count: 0 } } }), 3);
    assert.equal(deliveryItemCount('{"a":1}\n\n{"b":2}\r\n{"c":3}\n'), 3);
    assert.equal(deliveryItemCount({ title: 'one alert', observables: new Array(900).fill({ type: 'ip', value: '198.51.100.1' }) }), 1);
    assert.equal(deliveryItemCount(42), 1);
  });
});
