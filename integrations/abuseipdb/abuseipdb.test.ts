import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { checkIpAction } from './check-ip.action.js';

describe('abuseipdb.check_ip', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('GET /api/v2/check with ipAddress, maxAgeInDays and the Key header', async () => {
    const out = await run(checkIpAction, { ip: '203.0.113.50' }, h.context('abuseipdb'));
    assert.deepEqual(
      { score: out.abuseConfidenceScore, reports: out.totalReports, verdict: out.verdict, ip: out.ip, link: out.link },
      { score: 100, reports: 57, verdict: 'malicious', ip: '203.0.113.50', link: 'https://www.abuseipdb.com/check/203.0.113.50' },
    );
    const [call] = await h.calls('abuseipdb');
    assert.ok(call);
    assert.equal(call.method, 'GET');
    assert.equal(call.path, '/api/v2/check');
    assert.deepEqual(call.query, { ipAddress: '203.0.113.50', maxAgeInDays: '90' });
    assert.equal(call.headers['key'], '[REDACTED]');
    assert.equal(call.headers['accept'], 'application/json');
    assertNoSecrets(call, SIMULATOR_CREDENTIALS.abuseipdb);
  });

  test('maxAgeInDays is passed through; suspicious and clean verdicts', async () => {
    const suspicious = await run(checkIpAction, { ip: '198.51.100.1', maxAgeInDays: 30 }, h.context('abuseipdb'));
    assert.equal(suspicious.verdict, 'suspicious');
    assert.equal(suspicious.abuseConfidenceScore, 37);
    const clean = await run(checkIpAction, { ip: '2001:4860:4860::8888' }, h.context('abuseipdb'));
    assert.equal(clean.verdict, 'clean');
    assert.equal(clean.lastReportedAt, null);
    const calls = await h.calls('abuseipdb');
    assert.equal(calls[0]?.query['maxAgeInDays'], '30');
    assert.equal(calls[1]?.query['ipAddress'], '2001:4860:4860::8888');
  });

  test('out-of-range maxAgeInDays is refused locally', async () => {
    await expectIntegrationError(run(checkIpAction, { ip: '8.8.8.8', maxAgeInDays: 400 }, h.context('abuseipdb')), { code: 'invalid_input', retryable: false });
  });

  test('bad key → 401 vendor_unauthorized with AbuseIPDB’s message', async () => {
    const err = await expectIntegrationError(run(checkIpAction, { ip: '8.8.8.8' }, h.context('abuseipdb', { secrets: { apiKey: 'nope-nope-nope' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
      httpStatus: 401,
    });
    assert.match(err.message, /Authentication failed/);
  });

  test('429 with an HTTP-date Retry-After → retryable with a delay', async () => {
    const retryAt = new Date(Date.now() + 120_000).toUTCString();
    await h.fault({ vendor: 'abuseipdb', kind: 'status', status: 429, retryAfter: retryAt, times: 1 });
    const err = await expectIntegrationError(run(checkIpAction, { ip: '8.8.8.8' }, h.context('abuseipdb')), { code: 'vendor_rate_limited', retryable: true });
    assert.ok(err.retryAfterMs !== undefined && err.retryAfterMs > 100_000 && err.retryAfterMs <= 120_000, `retryAfterMs ${err.retryAfterMs}`);
  });
});
