import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { signalChunks } from './outbox-relay.service.js';

describe('signalChunks', () => {
  test('keeps order and splits so no signal carries more than the byte budget (one oversized row goes alone)', () => {
    const row = (id: number, size: number) => ({ id, payload: { finding: { pad: 'x'.repeat(size) } } });
    const rows = [row(1, 100), row(2, 100), row(3, 500), row(4, 100), row(5, 2000), row(6, 10)];
    const chunks = signalChunks(rows, 600);
    assert.deepEqual(
      chunks.map((c) => c.map((r) => r.id)),
      [[1, 2], [3], [4], [5], [6]],
    );
    assert.deepEqual(signalChunks([], 600), []);
    assert.deepEqual(
      signalChunks(rows).map((c) => c.length),
      [6],
    );
  });
});
