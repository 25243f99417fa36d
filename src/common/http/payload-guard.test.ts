import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPayload, looksLikeNdjson, parseJsonSafely, parseNdjson } from './payload-guard.js';

function nested(depth: number, leaf: string): string {
  return '['.repeat(depth - 1) + `{"a":${leaf}}` + ']'.repeat(depth - 1);
}

describe('parseJsonSafely', () => {
  test('parses ordinary JSON', () => {
    const r = parseJsonSafely('{"a":[1,{"b":"c"}]}');
    assert.equal(r.ok, true);
    assert.deepEqual(r.ok ? r.value : undefined, { a: [1, { b: 'c' }] });
  });

  test('rejects invalid JSON with a typed error', () => {
    const r = parseJsonSafely('{"a":');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'invalid_json');
      assert.equal(r.error.details.path, '$');
    }
  });

  test('rejects __proto__ at the root and names the path', () => {
    const r = parseJsonSafely('{"__proto__":{"polluted":true}}');
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'forbidden_key');
      assert.equal(r.error.details.path, '$.__proto__');
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('rejects constructor and prototype keys deep inside arrays', () => {
    const a = parseJsonSafely('{"alerts":[{"x":1},{"y":{"constructor":{"prototype":{}}}}]}');
    assert.equal(a.ok, false);
    if (!a.ok) assert.equal(a.error.details.path, '$.alerts[1].y.constructor');
    const b = parseJsonSafely('[{"prototype":1}]');
    assert.equal(b.ok, false);
    if (!b.ok) assert.equal(b.error.details.path, '$[0].prototype');
  });

  test('allows exactly the default 64 levels and rejects 65', () => {
    assert.equal(parseJsonSafely(nested(64, '1')).ok, true);
    const r = parseJsonSafely(nested(65, '1'));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'too_deep');
      assert.match(r.error.details.path, /^\$(\[0\]){64}$/);
    }
  });

  test('names object keys on the path of a too-deep payload', () => {
    const r = parseJsonSafely('{"alerts":[{"deep":{"deeper":[1]}}]}', { maxDepth: 4 });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.details.path, '$.alerts[0].deep.deeper');
  });

  test('does not mistake brackets inside strings for nesting', () => {
    const r = parseJsonSafely('{"a":"[[[[[[[[[[{{{{{{\\"]]]]"}', { maxDepth: 2 });
    assert.equal(r.ok, true);
  });

  test('rejects hostile nesting far beyond the limit without blowing the stack', () => {
    const r = parseJsonSafely('['.repeat(200_000) + ']'.repeat(200_000));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'too_deep');
  });

  test('rejects text over maxLength', () => {
    const r = parseJsonSafely('"0123456789"', { maxLength: 5 });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'too_large');
  });
});

describe('checkPayload', () => {
  test('accepts a plain value and returns undefined', () => {
    assert.equal(checkPayload({ a: [1, 2, { b: null }] }), undefined);
    assert.equal(checkPayload('text'), undefined);
  });

  test('finds a forbidden own key created by JSON.parse', () => {
    const value: unknown = JSON.parse('{"ok":{"__proto__":{"x":1}}}');
    assert.deepEqual(checkPayload(value), {
      code: 'forbidden_key',
      message: 'Payload key "__proto__" is not allowed',
      details: { path: '$.ok.__proto__' },
    });
  });

  test('quotes odd keys in paths', () => {
    const value = { 'kibana.alert': { 'a b': { constructor: 1 } } };
    assert.equal(checkPayload(value)?.details.path, '$["kibana.alert"]["a b"].constructor');
  });

  test('applies a custom depth limit', () => {
    assert.equal(checkPayload({ a: { b: {} } }, { maxDepth: 3 }), undefined);
    assert.equal(checkPayload({ a: { b: { c: {} } } }, { maxDepth: 3 })?.code, 'too_deep');
  });
});

describe('parseNdjson', () => {
  test('splits lines, skips blanks, keeps going after a bad line', () => {
    const lines = parseNdjson('{"a":1}\r\n\n not json\n{"__proto__":1}\n[2]\n');
    assert.deepEqual(
      lines.map((l) => (l.ok ? `${l.line}:ok` : `${l.line}:${l.error.code}`)),
      ['1:ok', '3:invalid_json', '4:forbidden_key', '5:ok'],
    );
    const bad = lines[1];
    assert.equal(bad.ok ? undefined : bad.error.details.line, 3);
  });

  test('looksLikeNdjson needs more than one non-blank line', () => {
    assert.equal(looksLikeNdjson('{"a":1}\n'), false);
    assert.equal(looksLikeNdjson('{"a":1}\n\n{"b":2}'), true);
  });
});
