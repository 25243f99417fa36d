import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../config/config.schema.js';
import { VigilError } from '../common/errors/vigil-error.js';
import { connectionAssociatedData, SecretsCipher } from './secrets-cipher.js';

const key = () => randomBytes(32).toString('base64');

test('VIGIL_SECRETS_KEYS: keyId:base64 pairs, the first is current; production requires it', () => {
  const a = key();
  const b = key();
  const config = loadConfig({ VIGIL_SECRETS_KEYS: `k2:${a}, k1:${b}` });
  assert.deepEqual(config.secretsKeys, [
    { id: 'k2', key: a },
    { id: 'k1', key: b },
  ]);
  assert.deepEqual(loadConfig({}).secretsKeys, [], 'optional in development');
  for (const bad of ['nocolon', `k1:${randomBytes(16).toString('base64')}`, `k1:${a},k1:${b}`, `bad id:${a}`, '']) {
    assert.throws(
      () => loadConfig({ VIGIL_SECRETS_KEYS: bad }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith('VIGIL_SECRETS_KEYS')),
      bad,
    );
  }
  assert.throws(
    () => loadConfig({ NODE_ENV: 'production' }),
    (e: unknown) => e instanceof ConfigError && /VIGIL_SECRETS_KEYS: required in production/.test(e.message),
  );
  assert.equal(loadConfig({ NODE_ENV: 'production', VIGIL_SECRETS_KEYS: `p:${a}`, VIGIL_LINK_SIGNING_KEY: 'x'.repeat(32) }).secretsKeys[0]!.id, 'p');
});

test('AES-256-GCM round trip, bound to its tenant and connection', () => {
  const cipher = new SecretsCipher({ secretsKeys: [{ id: 'k1', key: key() }] });
  const aad = connectionAssociatedData('t1', 'c1');
  const sealed = cipher.encrypt({ apiKey: 's3cret-value' }, aad);
  assert.equal(sealed.keyId, 'k1');
  assert.equal(sealed.iv.length, 12);
  assert.equal(sealed.authTag.length, 16);
  assert.ok(!sealed.ciphertext.toString('latin1').includes('s3cret-value'));
  assert.deepEqual(cipher.decrypt(sealed, aad), { apiKey: 's3cret-value' });
  // Two encryptions of the same secrets differ (fresh IV each time).
  assert.notDeepEqual(cipher.encrypt({ apiKey: 's3cret-value' }, aad).ciphertext, sealed.ciphertext);
  // Copied to another tenant's or connection's row, or tampered with, it does not open.
  assert.throws(
    () => cipher.decrypt(sealed, connectionAssociatedData('t2', 'c1')),
    (e: unknown) => e instanceof VigilError && e.code === 'unavailable',
  );
  assert.throws(() => cipher.decrypt(sealed, connectionAssociatedData('t1', 'c2')), VigilError);
  const flipped = Buffer.from(sealed.ciphertext);
  flipped[0] = flipped[0]! ^ 1;
  assert.throws(() => cipher.decrypt({ ...sealed, ciphertext: flipped }, aad), VigilError);
});

test('rotation: the old key still decrypts by id, new secrets use the current key; no key means a clear refusal', () => {
  const oldKey = key();
  const before = new SecretsCipher({ secretsKeys: [{ id: 'old', key: oldKey }] });
  const sealed = before.encrypt({ token: 't' }, 'x');
  const after = new SecretsCipher({
    secretsKeys: [
      { id: 'new', key: key() },
      { id: 'old', key: oldKey },
    ],
  });
  assert.deepEqual(after.decrypt(sealed, 'x'), { token: 't' });
  assert.equal(after.encrypt({ token: 't' }, 'x').keyId, 'new');
  const none = new SecretsCipher({ secretsKeys: [] });
  assert.throws(() => none.encrypt({ token: 't' }, 'x'), /set VIGIL_SECRETS_KEYS/);
  assert.throws(() => new SecretsCipher({ secretsKeys: [{ id: 'other', key: key() }] }).decrypt(sealed, 'x'), /encrypted with key old, which VIGIL_SECRETS_KEYS no longer holds/);
});
