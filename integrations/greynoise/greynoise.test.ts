import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { ipContextAction } from './ip-context.action.js';

describe('greynoise.ip_context', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('GET /v3/community/{ip} with the key header; malicious scanner', async () => {
    const out = await run(ipContextAction, { ip: '203.0.113.9' }, h.context('greynoise'));
    assert.deepEqual(out, {
      ip: '203.0.113.9',
      observed: true,
      noise: true,
      riot: false,
      classification: 'malicious',
      name: null,
      lastSeen: '2025-01-01',
      link: 'https://viz.greynoise.io/ip/203.0.113.9',
      message: 'Success',
    });
    const [call] = await h.calls('greynoise');
    assert.equal(call?.path, '/v3/community/203.0.113.9');
    assert.equal(call?.headers['key'], '[REDACTED]');
  });

  test('a known business service (RIOT) is benign', async () => {
    const out = await run(ipContextAction, { ip: '8.8.4.4' }, h.context('greynoise'));
    assert.equal(out.riot, true);
    assert.equal(out.classification, 'benign');
    assert.equal(out.name, 'Example Business Service');
  });

  test('404 "not observed" is a result, not an error', async () => {
    const out = await run(ipContextAction, { ip: '192.0.2.44' }, h.context('greynoise'));
    assert.equal(out.observed, false);
    assert.equal(out.classification, 'unknown');
    assert.match(out.message ?? '', /not observed/);
  });

  test('bad key → vendor_unauthorized; IPv6 refused locally', async () => {
    await expectIntegrationError(run(ipContextAction, { ip: '8.8.8.8' }, h.context('greynoise', { secrets: { apiKey: 'bad-key-value' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
      httpStatus: 401,
    });
    await expectIntegrationError(run(ipContextAction, { ip: '2001:db8::1' }, h.context('greynoise')), { code: 'invalid_input', retryable: false });
  });

  test('injected 503 → retryable', async () => {
    await h.fault({ vendor: 'greynoise', kind: 'status', status: 503, retryAfter: 2 });
    const err = await expectIntegrationError(run(ipContextAction, { ip: '8.8.8.8' }, h.context('greynoise')), { code: 'vendor_unavailable', retryable: true, httpStatus: 503 });
    assert.equal(err.retryAfterMs, 2000);
  });
});
