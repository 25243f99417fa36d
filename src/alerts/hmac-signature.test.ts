import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSignature, signBody } from './hmac-signature.js';

const secret = 'a-shared-secret-of-some-length';
const body = Buffer.from('{"title":"x","severity":"low"}');
const now = 1_780_000_000_000;
const ts = String(now / 1000);

describe('checkSignature', () => {
  test('accepts sha256=<hex> of HMAC-SHA256 over "<timestamp>.<body>", in any hex case, within the tolerance', () => {
    const signature = signBody(secret, ts, body);
    assert.match(signature, /^sha256=[0-9a-f]{64}$/);
    assert.equal(checkSignature({ secret, body, signature, timestamp: ts, toleranceSeconds: 300, now }), undefined);
    assert.equal(checkSignature({ secret, body, signature: `sha256=${signature.slice(7).toUpperCase()}`, timestamp: ts, toleranceSeconds: 300, now: now + 299_000 }), undefined);
  });

  test('one of several comma-separated signatures may match (secret rotation)', () => {
    const other = signBody('an-older-secret-value-123', ts, body);
    assert.equal(checkSignature({ secret, body, signature: `${other}, ${signBody(secret, ts, body)}`, timestamp: ts, toleranceSeconds: 300, now }), undefined);
  });

  test('names each problem', () => {
    const good = signBody(secret, ts, body);
    const c = { secret, body, signature: good, timestamp: ts, toleranceSeconds: 300, now };
    assert.equal(checkSignature({ ...c, signature: undefined }), 'missing_signature');
    assert.equal(checkSignature({ ...c, timestamp: undefined }), 'missing_timestamp');
    assert.equal(checkSignature({ ...c, timestamp: '2026-01-01T00:00:00Z' }), 'malformed_timestamp');
    assert.equal(checkSignature({ ...c, now: now + 301_000 }), 'stale_timestamp');
    assert.equal(checkSignature({ ...c, now: now - 301_000 }), 'stale_timestamp');
    assert.equal(checkSignature({ ...c, signature: good.slice(7) }), 'malformed_signature');
    assert.equal(checkSignature({ ...c, body: Buffer.from('{"title":"y","severity":"low"}') }), 'mismatch');
    assert.equal(checkSignature({ ...c, secret: 'another-secret-entirely' }), 'mismatch');
    // The timestamp is signed too: moving it forward breaks the signature.
    assert.equal(checkSignature({ ...c, timestamp: String(now / 1000 + 10) }), 'mismatch');
  });
});
