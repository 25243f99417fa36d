import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { getDomainReportAction } from './get-domain-report.action.js';
import { getFileReportAction } from './get-file-report.action.js';
import { getIpReportAction } from './get-ip-report.action.js';
import { getUrlReportAction, virusTotalUrlId } from './get-url-report.action.js';

const KEY = SIMULATOR_CREDENTIALS.virustotal.apiKey;

describe('virustotal adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('get_file_report: GET /api/v3/files/{hash} with x-apikey, normalised malicious verdict', async () => {
    const hash = 'BAD0000000000000000000000000000000000000000000000000000000000001';
    const out = await run(getFileReportAction, { hash }, h.context('virustotal'));
    assert.deepEqual(
      {
        verdict: out.verdict,
        malicious: out.malicious,
        suspicious: out.suspicious,
        harmless: out.harmless,
        undetected: out.undetected,
        reputation: out.reputation,
        found: out.found,
      },
      { verdict: 'malicious', malicious: 14, suspicious: 2, harmless: 47, undetected: 9, reputation: -47, found: true },
    );
    assert.equal(out.link, `https://www.virustotal.com/gui/file/${hash.toLowerCase()}`);
    assert.equal(out.lastAnalysisDate, '2025-01-01T00:00:00.000Z');
    const [call, ...more] = await h.calls('virustotal');
    assert.equal(more.length, 0);
    assert.ok(call);
    assert.equal(call.method, 'GET');
    assert.equal(call.path, `/api/v3/files/${hash.toLowerCase()}`);
    assert.equal(call.headers['x-apikey'], '[REDACTED]');
    assert.equal(call.headers['accept'], 'application/json');
    assertNoSecrets(await h.calls('virustotal'), { KEY });
  });

  test('get_ip_report: clean and suspicious ranges', async () => {
    const clean = await run(getIpReportAction, { ip: '8.8.8.8' }, h.context('virustotal'));
    assert.equal(clean.verdict, 'clean');
    assert.equal(clean.malicious, 0);
    assert.equal(clean.link, 'https://www.virustotal.com/gui/ip-address/8.8.8.8');
    const suspicious = await run(getIpReportAction, { ip: '198.51.100.20' }, h.context('virustotal'));
    assert.equal(suspicious.verdict, 'suspicious');
    assert.equal(suspicious.suspicious, 3);
    const calls = await h.calls('virustotal');
    assert.deepEqual(
      calls.map((c) => c.path),
      ['/api/v3/ip_addresses/8.8.8.8', '/api/v3/ip_addresses/198.51.100.20'],
    );
  });

  test('get_domain_report: lower-cases the domain', async () => {
    const out = await run(getDomainReportAction, { domain: 'Evil-Cdn.Example.com' }, h.context('virustotal'));
    assert.equal(out.verdict, 'malicious');
    assert.equal(out.id, 'evil-cdn.example.com');
    assert.equal((await h.calls('virustotal'))[0]?.path, '/api/v3/domains/evil-cdn.example.com');
  });

  test('get_url_report: the URL identifier is unpadded base64url', async () => {
    const url = 'http://bad-login.example.com/account?x=1';
    assert.equal(virusTotalUrlId('http://www.google.com/'), 'aHR0cDovL3d3dy5nb29nbGUuY29tLw');
    const out = await run(getUrlReportAction, { url }, h.context('virustotal'));
    assert.equal(out.verdict, 'malicious');
    assert.equal(out.type, 'url');
    const id = Buffer.from(url).toString('base64url');
    assert.ok(!id.endsWith('='));
    assert.equal((await h.calls('virustotal'))[0]?.path, `/api/v3/urls/${id}`);
  });

  test('an indicator VirusTotal has never seen is verdict unknown, not a failure', async () => {
    const out = await run(getFileReportAction, { hash: '000000aa00000000000000000000000000000000' }, h.context('virustotal'));
    assert.deepEqual({ found: out.found, verdict: out.verdict, malicious: out.malicious }, { found: false, verdict: 'unknown', malicious: 0 });
  });

  test('bad API key → vendor_unauthorized, not retryable, secret absent from the error', async () => {
    const ctx = h.context('virustotal', { secrets: { apiKey: 'wrong-key-value-123' } });
    const err = await expectIntegrationError(run(getIpReportAction, { ip: '8.8.8.8' }, ctx), { code: 'vendor_unauthorized', retryable: false, httpStatus: 401 });
    assert.match(err.message, /WrongCredentialsError/);
    assert.ok(!err.message.includes('wrong-key-value-123'));
    assertNoSecrets(await h.calls('virustotal'), { bad: 'wrong-key-value-123', KEY });
  });

  test('injected 429 with Retry-After → retryable with retryAfterMs', async () => {
    await h.fault({ vendor: 'virustotal', path: '/api/v3/ip_addresses', kind: 'status', status: 429, retryAfter: 17, times: 1 });
    const err = await expectIntegrationError(run(getIpReportAction, { ip: '8.8.8.8' }, h.context('virustotal')), { code: 'vendor_rate_limited', retryable: true, httpStatus: 429 });
    assert.equal(err.retryAfterMs, 17_000);
    assert.match(err.message, /QuotaExceededError/);
    // The fault was for one call only.
    assert.equal((await run(getIpReportAction, { ip: '8.8.8.8' }, h.context('virustotal'))).verdict, 'clean');
  });

  test('injected 500 → retryable vendor_unavailable', async () => {
    await h.fault({ vendor: 'virustotal', kind: 'status', status: 500 });
    await expectIntegrationError(run(getIpReportAction, { ip: '8.8.8.8' }, h.context('virustotal')), { code: 'vendor_unavailable', retryable: true, httpStatus: 500 });
  });

  test('a hanging vendor → retryable timeout within the client timeout', async () => {
    await h.fault({ vendor: 'virustotal', kind: 'hang' });
    const started = Date.now();
    await expectIntegrationError(run(getIpReportAction, { ip: '8.8.8.8' }, h.context('virustotal', { timeoutMs: 300 })), { code: 'vendor_timeout', retryable: true });
    assert.ok(Date.now() - started < 3000);
  });

  test('invalid input is refused before any call', async () => {
    await expectIntegrationError(run(getFileReportAction, { hash: 'not-a-hash' }, h.context('virustotal')), { code: 'invalid_input', retryable: false });
    await expectIntegrationError(run(getIpReportAction, { ip: '8.8.8.8', extra: 1 }, h.context('virustotal')), { code: 'invalid_input', retryable: false });
    assert.equal((await h.calls('virustotal')).length, 0);
  });

  test('describeTarget names the indicator', () => {
    assert.equal(getIpReportAction.describeTarget?.({ ip: '1.2.3.4' }), 'IP 1.2.3.4');
  });
});
