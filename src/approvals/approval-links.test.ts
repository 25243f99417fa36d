import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { linkUseKey, signLink, verifyLink } from './approval-links.js';

const KEY = 'k'.repeat(64);
const claims = { approvalId: '6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b', tenantId: 't1', approver: { id: 'user:a@example.com', roles: ['analyst'] }, exp: 2_000_000_000 };

describe('signed approval links', () => {
  test('a signed token verifies and carries its claims', () => {
    const token = signLink({ ...claims, decision: 'approve' }, KEY);
    const check = verifyLink(token, KEY, Date.now());
    assert.ok(check.ok);
    assert.equal(check.claims.approvalId, claims.approvalId);
    assert.deepEqual(check.claims.approver, claims.approver);
    assert.equal(check.claims.decision, 'approve');
  });

  test('two links for the same approver and expiry differ (one-time use is per link)', () => {
    assert.notEqual(signLink(claims, KEY), signLink(claims, KEY));
    assert.notEqual(linkUseKey(signLink(claims, KEY)), linkUseKey(signLink(claims, KEY)));
  });

  test("every spelling of one signature (base64url's unused low bits) is one link with one use key", () => {
    const token = signLink(claims, KEY);
    const [payload, signature] = token.split('.') as [string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(signature.at(-1)!);
    const spellings = [0, 1, 2, 3].map((low) => `${payload}.${signature.slice(0, -1)}${alphabet[(last & ~3) | low]}`);
    assert.equal(new Set(spellings).size, 4);
    assert.ok(spellings.includes(token));
    for (const spelling of spellings) {
      assert.ok(verifyLink(spelling, KEY, Date.now()).ok, 'each spelling decodes to the same MAC');
      assert.equal(linkUseKey(spelling), linkUseKey(token));
    }
  });

  test('expired, tampered, re-signed with another key and malformed tokens are refused', () => {
    const token = signLink(claims, KEY);
    assert.deepEqual(verifyLink(token, KEY, claims.exp * 1000), { ok: false, reason: 'expired' });
    const [payload, signature] = token.split('.');
    const changed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), exp: 2_100_000_000 })).toString('base64url');
    assert.deepEqual(verifyLink(`${changed}.${signature}`, KEY, Date.now()), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyLink(token, 'x'.repeat(64), Date.now()), { ok: false, reason: 'bad_signature' });
    for (const bad of ['', 'abc', 'a.b.c', '!!.??', `${payload}.`]) assert.equal(verifyLink(bad, KEY, Date.now()).ok, false, bad);
  });
});

describe('the link signing key', () => {
  test('production refuses to start without VIGIL_LINK_SIGNING_KEY; elsewhere a random per-process key is used', async () => {
    const { ConfigError, loadConfig } = await import('../config/config.schema.js');
    const base = { VIGIL_SECRETS_KEYS: `main:${Buffer.alloc(32, 1).toString('base64')}` };
    assert.throws(
      () => loadConfig({ ...base, NODE_ENV: 'production' }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith('VIGIL_LINK_SIGNING_KEY')),
    );
    assert.throws(() => loadConfig({ ...base, NODE_ENV: 'production', VIGIL_LINK_SIGNING_KEY: 'short' }), ConfigError);
    const prod = loadConfig({ ...base, NODE_ENV: 'production', VIGIL_LINK_SIGNING_KEY: 'p'.repeat(40) });
    assert.deepEqual(prod.approvalLinks, { signingKey: 'p'.repeat(40), ephemeralKey: false });
    const dev = loadConfig({ NODE_ENV: 'development' });
    assert.equal(dev.approvalLinks.ephemeralKey, true);
    assert.equal(dev.approvalLinks.signingKey.length, 64);
  });
});
