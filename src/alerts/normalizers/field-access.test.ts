import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getId, getNumber, getPath, getString, getStrings } from './field-access.js';
import { canonicalJson, contentHash, sha256Hex } from './fingerprint.js';

describe('getPath', () => {
  test('reads nested, dotted and mixed keys alike', () => {
    const nested = { kibana: { alert: { uuid: 'n' } } };
    const dotted = { 'kibana.alert.uuid': 'd' };
    const mixed = { kibana: { 'alert.uuid': 'm' } };
    const mixed2 = { 'kibana.alert': { uuid: 'm2' } };
    assert.equal(getPath(nested, 'kibana.alert.uuid'), 'n');
    assert.equal(getPath(dotted, 'kibana.alert.uuid'), 'd');
    assert.equal(getPath(mixed, 'kibana.alert.uuid'), 'm');
    assert.equal(getPath(mixed2, 'kibana.alert.uuid'), 'm2');
  });

  test('falls back to the nested form when a dotted prefix leads nowhere', () => {
    const doc = { 'kibana.alert': { other: 1 }, kibana: { alert: { uuid: 'x' } } };
    assert.equal(getPath(doc, 'kibana.alert.uuid'), 'x');
  });

  test('never walks into prototypes', () => {
    assert.equal(getPath({}, 'constructor'), undefined);
    assert.equal(getPath({ a: {} }, 'a.__proto__'), undefined);
    assert.equal(getPath({ a: 'text' }, 'a.length'), undefined);
    assert.equal(getPath([1, 2], '0'), undefined);
  });

  test('typed readers narrow and coerce only where vendors need it', () => {
    const v = { s: '  x ', e: '   ', n: 7, ns: '42', f: '4.5', bad: '4x', arr: ['a', '', 3, 'b'] };
    assert.equal(getString(v, 'e', 's'), 'x');
    assert.equal(getString(v, 'n'), undefined);
    assert.equal(getId(v, 'n'), '7');
    assert.equal(getNumber(v, 'ns'), 42);
    assert.equal(getNumber(v, 'f'), 4.5);
    assert.equal(getNumber(v, 'bad'), undefined);
    assert.deepEqual(getStrings(v, 'arr', 's'), ['a', 'b', 'x']);
  });
});

describe('fingerprint', () => {
  test('canonicalJson sorts keys at every level', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: null }], e: 'x' }), '{"a":[{"c":null,"d":2}],"b":1,"e":"x"}');
    assert.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }));
  });

  test('contentHash is the sha256 of the canonical JSON', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(contentHash({ b: 1, a: 2 }), sha256Hex('{"a":2,"b":1}'));
  });

  test('canonicalJson survives deep nesting without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = [deep];
    assert.equal(canonicalJson(deep).length, 100_001);
  });
});
