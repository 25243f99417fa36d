import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AxiosError, AxiosHeaders } from 'axios';
import { IntegrationError } from './action.js';
import { createHttpClient, DEFAULT_HTTP_TIMEOUT_MS } from './create-http-client.js';
import { errorFromResponse, extractVendorMessage, parseRetryAfter, toIntegrationError } from './http-errors.js';

const ctx = { vendor: 'acme', now: () => Date.parse('2025-01-01T00:00:00Z') };

function axiosResponseError(status: number, data: unknown, headers: Record<string, string> = {}): AxiosError {
  const config = { headers: new AxiosHeaders() };
  return new AxiosError(
    `Request failed with status code ${status}`,
    'ERR_BAD_RESPONSE',
    config,
    {},
    {
      status,
      statusText: '',
      headers,
      config,
      data,
    },
  );
}

function networkError(code: string): AxiosError {
  return new AxiosError(`connect ${code} 127.0.0.1:9`, code, { headers: new AxiosHeaders() });
}

describe('parseRetryAfter', () => {
  test('delta seconds become milliseconds', () => {
    assert.equal(parseRetryAfter('7'), 7000);
    assert.equal(parseRetryAfter(' 0 '), 0);
    assert.equal(parseRetryAfter(['3']), 3000);
  });
  test('an HTTP-date becomes the delay from now, never negative', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now), 0);
  });
  test('absent or unparseable values give undefined', () => {
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter(''), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('errorFromResponse', () => {
  const cases: Array<[number, string, boolean]> = [
    [400, 'vendor_bad_request', false],
    [401, 'vendor_unauthorized', false],
    [403, 'vendor_forbidden', false],
    [404, 'vendor_not_found', false],
    [409, 'vendor_conflict', false],
    [422, 'vendor_bad_request', false],
    [408, 'vendor_timeout', true],
    [500, 'vendor_unavailable', true],
    [501, 'vendor_not_implemented', false],
    [502, 'vendor_unavailable', true],
    [503, 'vendor_unavailable', true],
    [504, 'vendor_unavailable', true],
  ];
  for (const [status, code, retryable] of cases) {
    test(`${status} → ${code} (retryable ${retryable})`, () => {
      const err = errorFromResponse(status, {}, { error: { code: 'X', message: 'boom' } }, ctx);
      assert.equal(err.code, code);
      assert.equal(err.retryable, retryable);
      assert.equal(err.httpStatus, status);
      assert.equal(err.message, `acme: HTTP ${status} — X: boom`);
    });
  }
  test('429 is retryable and honours Retry-After seconds', () => {
    const err = errorFromResponse(429, { 'Retry-After': '12' }, { errors: [{ detail: 'slow down' }] }, ctx);
    assert.equal(err.code, 'vendor_rate_limited');
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 12_000);
  });
  test('429 honours an HTTP-date Retry-After', () => {
    const err = errorFromResponse(429, { 'retry-after': 'Wed, 01 Jan 2025 00:01:00 GMT' }, undefined, ctx);
    assert.equal(err.retryAfterMs, 60_000);
  });
  test('429 falls back to X-Rate-Limit-Reset epoch seconds', () => {
    const reset = String(Date.parse('2025-01-01T00:00:45Z') / 1000);
    const err = errorFromResponse(429, { 'x-rate-limit-reset': reset }, undefined, ctx);
    assert.equal(err.retryAfterMs, 45_000);
  });
  test('secrets in the vendor message are scrubbed', () => {
    const err = errorFromResponse(400, {}, { message: 'bad key s3cr3t-value given' }, { ...ctx, secrets: { apiKey: 's3cr3t-value' } });
    assert.equal(err.message, 'acme: HTTP 400 — bad key [REDACTED] given');
  });
});

describe('extractVendorMessage', () => {
  test('reads the common vendor shapes', () => {
    assert.equal(extractVendorMessage({ errorSummary: 'Invalid token provided' }), 'Invalid token provided');
    assert.equal(extractVendorMessage({ errorMessages: ['Issue does not exist'] }), 'Issue does not exist');
    assert.equal(extractVendorMessage({ errorMessages: [], errors: { summary: 'required' } }), 'summary: required');
    assert.equal(extractVendorMessage({ ok: false, error: 'invalid_auth' }), 'invalid_auth');
    assert.equal(extractVendorMessage({ status: 501, status_text: 'Option not supported' }), 'Option not supported');
    assert.equal(extractVendorMessage({ errors: [{ code: 401, message: 'access denied' }] }), 'access denied');
    assert.equal(extractVendorMessage(null), undefined);
  });
});

describe('toIntegrationError', () => {
  test('passes IntegrationError through unchanged', () => {
    const original = new IntegrationError('x', 'custom', false);
    assert.equal(toIntegrationError(original, ctx), original);
  });
  test('classifies axios response errors by status', () => {
    const err = toIntegrationError(axiosResponseError(503, 'down', { 'retry-after': '2' }), ctx);
    assert.equal(err.code, 'vendor_unavailable');
    assert.equal(err.retryable, true);
    assert.equal(err.retryAfterMs, 2000);
  });
  for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH']) {
    test(`${code} is retryable`, () => {
      const err = toIntegrationError(networkError(code), ctx);
      assert.equal(err.code, 'vendor_unavailable');
      assert.equal(err.retryable, true);
    });
  }
  for (const code of ['ETIMEDOUT', 'ECONNABORTED']) {
    test(`${code} is a retryable timeout`, () => {
      const err = toIntegrationError(networkError(code), ctx);
      assert.equal(err.code, 'vendor_timeout');
      assert.equal(err.retryable, true);
    });
  }
  test('ENOTFOUND is not retryable', () => {
    const err = toIntegrationError(networkError('ENOTFOUND'), ctx);
    assert.equal(err.code, 'vendor_unreachable');
    assert.equal(err.retryable, false);
  });
  test('cancellation is reported as cancelled, not retryable', () => {
    const err = toIntegrationError(new AxiosError('canceled', 'ERR_CANCELED'), ctx);
    assert.equal(err.code, 'cancelled');
    assert.equal(err.retryable, false);
  });
});

describe('createHttpClient', () => {
  test('defaults: 10 s timeout, no proxy, no redirects, default validateStatus', () => {
    const http = createHttpClient();
    assert.equal(http.defaults.timeout, DEFAULT_HTTP_TIMEOUT_MS);
    assert.equal(DEFAULT_HTTP_TIMEOUT_MS, 10_000);
    assert.equal(http.defaults.proxy, false);
    assert.equal(http.defaults.maxRedirects, 0);
    const validate = http.defaults.validateStatus;
    assert.ok(validate);
    assert.equal(validate(200), true);
    assert.equal(validate(404), false);
    assert.equal(createHttpClient({ timeoutMs: 250 }).defaults.timeout, 250);
  });
});

describe('vendor error bodies are cut and redacted before they go anywhere', () => {
  test('a long page from the target comes back as at most 300 characters of its text, without the secrets it echoes', () => {
    const secret = 'sk-connection-secret-0001';
    const page = `<html><body>${'x'.repeat(2_000)} echo: ${secret} and basic ${Buffer.from(`admin:${secret}`).toString('base64')} ${'y'.repeat(5_000)}</body></html>`;
    const err = errorFromResponse(500, {}, page, { vendor: 'okta', secrets: { apiToken: secret, login: 'admin' } });
    assert.ok(err.message.length <= 'okta: HTTP 500 — '.length + 301, `message of ${err.message.length} characters`);
    const early = errorFromResponse(400, {}, `bad request for ${secret} (${Buffer.from(secret).toString('base64')})`, { vendor: 'okta', secrets: { apiToken: secret } });
    assert.ok(!early.message.includes(secret) && !early.message.includes(Buffer.from(secret).toString('base64')), early.message);
    assert.match(early.message, /\[REDACTED\]/);
  });
});
