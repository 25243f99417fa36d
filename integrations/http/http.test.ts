import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { httpRequestAction } from './request.action.js';

describe('http.request', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('POST to an allowed host: JSON body, query, bearer token and Idempotency-Key; echoed token redacted', async () => {
    const out = await run(
      httpRequestAction,
      { method: 'POST', url: `${h.url}/http/hooks/case?src=vigil`, query: { n: 2 }, headers: { 'X-Case': '42' }, body: { host: 'WS-0142' } },
      h.context('http', { idempotencyKey: 'wf-3/hook' }),
    );
    assert.equal(out.status, 200);
    const echo = out.body as { method: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: unknown };
    assert.equal(echo.method, 'POST');
    assert.equal(echo.path, '/hooks/case');
    assert.deepEqual(echo.query, { src: 'vigil', n: '2' });
    assert.deepEqual(echo.body, { host: 'WS-0142' });
    assert.equal(echo.headers['x-case'], '42');
    assert.equal(echo.headers['idempotency-key'], 'wf-3/hook');
    assert.equal(echo.headers['authorization'], '[REDACTED]', 'the echoed token does not reach the output');
    assertNoSecrets(out, SIMULATOR_CREDENTIALS.http);
    const [call] = await h.calls('http');
    assert.equal(call?.headers['authorization'], '[REDACTED]');
    assertNoSecrets(call, SIMULATOR_CREDENTIALS.http);
  });

  test('loopback is refused without allowPrivateNetworks, before any request', async () => {
    const ctx = h.context('http', { settings: { allowPrivateNetworks: false } });
    await expectIntegrationError(run(httpRequestAction, { url: `${h.url}/http/x` }, ctx), { code: 'address_not_allowed', retryable: false });
    const port = new URL(h.url).port;
    await expectIntegrationError(
      run(httpRequestAction, { url: `http://localhost:${port}/http/x` }, h.context('http', { settings: { allowedHosts: ['localhost'], allowPrivateNetworks: false } })),
      { code: 'address_not_allowed', retryable: false },
    );
    assert.equal((await h.calls('http')).length, 0);
  });

  test('the cloud metadata address is refused', async () => {
    await expectIntegrationError(
      run(
        httpRequestAction,
        { url: 'http://169.254.169.254/latest/meta-data/' },
        h.context('http', { settings: { allowedHosts: ['169.254.169.254'], allowPrivateNetworks: false } }),
      ),
      {
        code: 'address_not_allowed',
        retryable: false,
      },
    );
  });

  test("the simulator's connection reaches the simulator's port and no other port of its host", async () => {
    const port = Number(new URL(h.url).port);
    for (const other of [port + 1, 7233, 8233, 80]) {
      await expectIntegrationError(run(httpRequestAction, { url: `http://127.0.0.1:${other}/api/v1/namespaces/default/workflows` }, h.context('http')), {
        code: 'host_not_allowed',
        retryable: false,
      });
    }
    await expectIntegrationError(run(httpRequestAction, { url: `${h.url}/http/redirect?to=${encodeURIComponent(`http://127.0.0.1:${port + 1}/x`)}` }, h.context('http')), {
      code: 'redirect_not_allowed',
      retryable: false,
    });
    assert.equal((await h.calls('http')).length, 1, 'only the redirecting call reached the simulator');
  });

  test('a host not in allowedHosts is refused', async () => {
    await expectIntegrationError(run(httpRequestAction, { url: 'https://api.example.com/v1' }, h.context('http')), { code: 'host_not_allowed', retryable: false });
  });

  test('same-host redirects are followed; redirects to another host are refused', async () => {
    const same = await run(httpRequestAction, { url: `${h.url}/http/redirect?to=${encodeURIComponent('/http/landed')}` }, h.context('http'));
    assert.equal(same.status, 200);
    assert.equal((same.body as { path: string }).path, '/landed');
    await expectIntegrationError(
      run(httpRequestAction, { url: `${h.url}/http/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}` }, h.context('http')),
      {
        code: 'redirect_not_allowed',
        retryable: false,
      },
    );
  });

  test('error statuses fail by default (classified) or are returned on request', async () => {
    await expectIntegrationError(run(httpRequestAction, { url: `${h.url}/http/status/503` }, h.context('http')), { code: 'vendor_unavailable', retryable: true, httpStatus: 503 });
    await expectIntegrationError(run(httpRequestAction, { url: `${h.url}/http/status/404` }, h.context('http')), { code: 'vendor_not_found', retryable: false, httpStatus: 404 });
    const out = await run(httpRequestAction, { url: `${h.url}/http/status/404`, failOnHttpError: false }, h.context('http'));
    assert.equal(out.status, 404);
  });

  test('credentials may not be passed as input headers', async () => {
    await expectIntegrationError(run(httpRequestAction, { url: `${h.url}/http/x`, headers: { 'X-Api-Key': 'abc' } }, h.context('http')), {
      code: 'invalid_input',
      retryable: false,
    });
  });

  test('a slow endpoint hits the per-request timeout (retryable)', async () => {
    await expectIntegrationError(run(httpRequestAction, { url: `${h.url}/http/delay/2000`, timeoutMs: 200 }, h.context('http')), { code: 'vendor_timeout', retryable: true });
  });
});
