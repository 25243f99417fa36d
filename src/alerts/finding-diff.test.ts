import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { changedFields } from './finding-diff.js';

describe('changedFields', () => {
  test('names changed, added and removed leaves by dotted path, sorted', () => {
    const before = { severity_id: 3, finding_info: { uid: 'a', title: 'x', last_seen_time: 1 }, unmapped: { count: 2 }, gone: true };
    const after = { severity_id: 4, finding_info: { uid: 'a', title: 'x', last_seen_time: 5 }, unmapped: { count: 3 }, added: 'y' };
    assert.deepEqual(changedFields(before, after), ['added', 'finding_info.last_seen_time', 'gone', 'severity_id', 'unmapped.count']);
  });

  test('an identical finding, whatever the key order, has no changes', () => {
    assert.deepEqual(changedFields({ a: { x: 1, y: [1, { z: 2 }] }, b: 2 }, { b: 2, a: { y: [1, { z: 2 }], x: 1 } }), []);
  });

  test('lists compare as a whole; paths stop at three levels', () => {
    assert.deepEqual(changedFields({ observables: [{ value: '1' }] }, { observables: [{ value: '2' }] }), ['observables']);
    assert.deepEqual(changedFields({ a: { b: { c: { d: 1 } } } }, { a: { b: { c: { d: 2 } } } }), ['a.b.c']);
  });
});
