import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { containHostAction } from './contain-host.action.js';
import { getDeviceAction } from './get-device.action.js';
import { liftContainmentAction } from './lift-containment.action.js';

const HOST = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const OTHER = 'b1b2c3d4e5f60718293a4b5c6d7e8f91';

interface DeviceState {
  device_id: string;
  status: string;
  history: Array<{ action: string }>;
}

async function devices(h: SimulatorHarness): Promise<DeviceState[]> {
  return ((await h.state())['crowdstrike']?.['devices'] ?? []) as DeviceState[];
}

describe('crowdstrike adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('contain_host: OAuth2 token (form-encoded) then devices-actions with action_name=contain and {ids}', async () => {
    const out = await run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    assert.deepEqual(out, { action: 'contain', requested: [HOST], accepted: [HOST], alreadyInState: [] });
    const [token, action, ...rest] = await h.calls('crowdstrike');
    assert.equal(rest.length, 0);
    assert.equal(token?.method, 'POST');
    assert.equal(token?.path, '/oauth2/token');
    assert.match(token?.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
    assert.deepEqual(token?.body, { client_id: '[REDACTED]', client_secret: '[REDACTED]' });
    assert.equal(action?.method, 'POST');
    assert.equal(action?.path, '/devices/entities/devices-actions/v2');
    assert.deepEqual(action?.query, { action_name: 'contain' });
    assert.deepEqual(action?.body, { ids: [HOST] });
    assert.equal(action?.headers['authorization'], '[REDACTED]');
    assertNoSecrets(await h.calls('crowdstrike'), SIMULATOR_CREDENTIALS.crowdstrike);
    const [d] = await devices(h);
    assert.equal(d?.status, 'contained');
  });

  test('containing twice: no error, host contained once, token reused', async () => {
    await run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    const second = await run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    assert.deepEqual(second, { action: 'contain', requested: [HOST], accepted: [], alreadyInState: [HOST] });
    const [d] = await devices(h);
    assert.equal(d?.status, 'contained');
    assert.deepEqual(
      d?.history.map((x) => x.action),
      ['contain'],
    );
    const calls = await h.calls('crowdstrike');
    assert.equal(calls.filter((c) => c.path === '/oauth2/token').length, 1, 'the token is cached per connection');
    assert.equal(calls.filter((c) => c.path === '/devices/entities/devices-actions/v2').length, 2);
  });

  test('mixed batch: one newly contained, one already contained', async () => {
    await run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    const out = await run(containHostAction, { deviceIds: [HOST, OTHER] }, h.context('crowdstrike'));
    assert.deepEqual(out.accepted, [OTHER]);
    assert.deepEqual(out.alreadyInState, [HOST]);
  });

  test('lift_containment is the inverse and is idempotent too', async () => {
    await run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    const lifted = await run(liftContainmentAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    assert.deepEqual(lifted.accepted, [HOST]);
    const again = await run(liftContainmentAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    assert.deepEqual(again.alreadyInState, [HOST]);
    const [d] = await devices(h);
    assert.equal(d?.status, 'normal');
    assert.deepEqual(
      d?.history.map((x) => x.action),
      ['contain', 'lift_containment'],
    );
    const calls = await h.calls('crowdstrike');
    assert.deepEqual(
      calls.filter((c) => c.path.includes('devices-actions')).map((c) => c.query['action_name']),
      ['contain', 'lift_containment', 'lift_containment'],
    );
  });

  test('get_device reports containment; unknown IDs are listed as not found', async () => {
    await run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    const unknown = '0000c3d4e5f60718293a4b5c6d7e8f90';
    const out = await run(getDeviceAction, { deviceIds: [HOST, unknown] }, h.context('crowdstrike'));
    assert.equal(out.devices.length, 1);
    assert.deepEqual(
      { id: out.devices[0]?.deviceId, status: out.devices[0]?.status, contained: out.devices[0]?.contained, hostname: out.devices[0]?.hostname },
      { id: HOST, status: 'contained', contained: true, hostname: 'WS-A1B2' },
    );
    assert.deepEqual(out.notFound, [unknown]);
    const call = (await h.calls('crowdstrike')).find((c) => c.path === '/devices/entities/devices/v2');
    assert.deepEqual(call?.query, { ids: [HOST, unknown] });
  });

  test('containing an unknown host fails as not found (not retryable)', async () => {
    await expectIntegrationError(run(containHostAction, { deviceIds: ['0000c3d4e5f60718293a4b5c6d7e8f90'] }, h.context('crowdstrike')), {
      code: 'vendor_not_found',
      retryable: false,
      httpStatus: 404,
    });
  });

  test('bad client secret → vendor_unauthorized at the token endpoint, not retryable', async () => {
    const err = await expectIntegrationError(run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike', { secrets: { clientSecret: 'wrong-secret-value' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
      httpStatus: 401,
    });
    assert.match(err.message, /invalid client/);
    assert.ok(!err.message.includes('wrong-secret-value'));
    assert.equal((await h.calls('crowdstrike')).filter((c) => c.path.includes('devices-actions')).length, 0);
  });

  test('a cached token the vendor no longer accepts is dropped and the failure is retryable', async () => {
    await run(getDeviceAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    // Forget every issued token on the vendor side; Vigil still has one cached.
    await fetch(`${h.url}/_simulator/state`, { method: 'DELETE' });
    await expectIntegrationError(run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike')), { code: 'vendor_token_expired', retryable: true, httpStatus: 401 });
    const retried = await run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike'));
    assert.deepEqual(retried.accepted, [HOST]);
    assert.equal((await h.calls('crowdstrike')).filter((c) => c.path === '/oauth2/token').length, 2);
  });

  test('injected 429 on the action → retryable with Retry-After; 500 → retryable', async () => {
    await h.fault({ vendor: 'crowdstrike', path: '/devices/entities/devices-actions', kind: 'status', status: 429, retryAfter: 3, times: 1 });
    const err = await expectIntegrationError(run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike')), {
      code: 'vendor_rate_limited',
      retryable: true,
      httpStatus: 429,
    });
    assert.equal(err.retryAfterMs, 3000);
    await h.fault({ vendor: 'crowdstrike', path: '/devices/entities/devices-actions', kind: 'status', status: 500, times: 1 });
    await expectIntegrationError(run(containHostAction, { deviceIds: [HOST] }, h.context('crowdstrike')), { code: 'vendor_unavailable', retryable: true, httpStatus: 500 });
  });

  test('input must be Falcon device IDs', async () => {
    await expectIntegrationError(run(containHostAction, { deviceIds: [] }, h.context('crowdstrike')), { code: 'invalid_input', retryable: false });
    await expectIntegrationError(run(containHostAction, { deviceIds: ['WS-0142'] }, h.context('crowdstrike')), { code: 'invalid_input', retryable: false });
    assert.equal(containHostAction.describeTarget?.({ deviceIds: [HOST] }), `host ${HOST}`);
  });
});
