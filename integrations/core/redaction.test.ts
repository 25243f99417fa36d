import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REDACTED, redactDeep, redactHeaders, redactText, redactUrl } from './redaction.js';

describe('redaction', () => {
  test('secret header names are redacted whatever their value', () => {
    const out = redactHeaders({
      Authorization: 'Bearer abc',
      'X-Apikey': 'k1',
      Key: 'k2',
      'x-api-key': 'k3',
      'api-key': 'k4',
      Cookie: 'sid=1',
      'X-Auth-Token': 't',
      'X-PAN-KEY': 'p',
      Accept: 'application/json',
    });
    assert.deepEqual(out, {
      authorization: REDACTED,
      'x-apikey': REDACTED,
      key: REDACTED,
      'x-api-key': REDACTED,
      'api-key': REDACTED,
      cookie: REDACTED,
      'x-auth-token': REDACTED,
      'x-pan-key': REDACTED,
      accept: 'application/json',
    });
  });

  test('secret values are scrubbed from other headers and text', () => {
    const secrets = { apiKey: 'topsecret-123' };
    assert.deepEqual(redactHeaders({ 'x-debug': 'key=topsecret-123' }, secrets), { 'x-debug': `key=${REDACTED}` });
    assert.equal(redactText('failed with topsecret-123 and topsecret-123', secrets), `failed with ${REDACTED} and ${REDACTED}`);
    assert.equal(redactText('url?k=topsecret%2F1', ['topsecret/1']), `url?k=${REDACTED}`);
  });

  test('base64 and base64url forms of a secret are redacted, and basic auth of a pair of secrets', () => {
    const secret = 'sk-live-9f8e7d6c5b4a>?';
    const base64 = Buffer.from(secret).toString('base64');
    const base64url = Buffer.from(secret).toString('base64url');
    assert.notEqual(base64, base64url, 'the secret was chosen so the two alphabets differ');
    assert.equal(redactText(`token ${base64} again ${base64url}`, { apiKey: secret }), `token ${REDACTED} again ${REDACTED}`);
    const basic = Buffer.from('soc@example.com:jira-token-0001').toString('base64');
    assert.equal(redactText(`Authorization: Basic ${basic}`, { email: 'soc@example.com', apiToken: 'jira-token-0001' }), `Authorization: Basic ${REDACTED}`);
    assert.deepEqual(redactDeep({ echoed: `Bearer ${base64}` }, [secret]), { echoed: `Bearer ${REDACTED}` });
  });

  test('short secrets are not searched for (they would shred output)', () => {
    assert.equal(redactText('abc', ['ab']), 'abc');
  });

  test('deep redaction handles secret-named fields, nested values and cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic['self'] = cyclic;
    const out = redactDeep({ routing_key: 'rk-1', client_secret: 'cs', password: 'p', nested: [{ note: 'token is s3cr3t!' }], clientId: 'visible', cyclic }, ['s3cr3t!']);
    assert.deepEqual(out, {
      routing_key: REDACTED,
      client_secret: REDACTED,
      password: REDACTED,
      nested: [{ note: `token is ${REDACTED}` }],
      clientId: 'visible',
      cyclic: { name: 'x', self: '[CIRCULAR]' },
    });
  });

  test('URLs lose credentials and secret query parameters', () => {
    assert.equal(
      redactUrl('https://user:pw@example.com/a?key=1&q=ok'),
      `https://${encodeURIComponent(REDACTED)}:${encodeURIComponent(REDACTED)}@example.com/a?key=${encodeURIComponent(REDACTED)}&q=ok`,
    );
  });
});
