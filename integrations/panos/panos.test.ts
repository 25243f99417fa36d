import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { blockIpAction } from './block-ip.action.js';
import { addressObjectName } from './panos-api.js';
import { unblockIpAction } from './unblock-ip.action.js';

interface PanosState {
  blockedIps: string[];
  groups: Array<{ name: string; members: string[] }>;
  commits: Array<{ jobId: number }>;
  pendingChanges: boolean;
}

async function panos(h: SimulatorHarness): Promise<PanosState> {
  return (await h.state())['panos'] as unknown as PanosState;
}

describe('panos adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('block_ip: address object, group membership, commit — as the REST and XML APIs define them', async () => {
    const out = await run(blockIpAction, { ip: '203.0.113.7', description: 'Case 42' }, h.context('panos'));
    assert.equal(out.addressObject, 'vigil-block-203.0.113.7');
    assert.equal(out.group, 'vigil-blocked');
    assert.equal(out.changed, true);
    assert.match(out.commitJobId ?? '', /^\d+$/);
    const calls = await h.calls('panos');
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.path} ${c.status}`),
      ['POST /restapi/v10.2/Objects/Addresses 200', 'GET /restapi/v10.2/Objects/AddressGroups 200', 'PUT /restapi/v10.2/Objects/AddressGroups 200', 'POST /api/ 200'],
    );
    const [create, , edit, commit] = calls;
    assert.deepEqual(create?.query, { location: 'vsys', vsys: 'vsys1', name: 'vigil-block-203.0.113.7' });
    assert.deepEqual(create?.body, { entry: [{ '@name': 'vigil-block-203.0.113.7', 'ip-netmask': '203.0.113.7/32', description: 'Case 42' }] });
    assert.equal(create?.headers['x-pan-key'], '[REDACTED]');
    assert.deepEqual(edit?.query, { location: 'vsys', vsys: 'vsys1', name: 'vigil-blocked' });
    assert.deepEqual((edit?.body as { entry: Array<{ static: { member: string[] } }> }).entry[0]?.static.member, ['vigil-placeholder', 'vigil-block-203.0.113.7']);
    assert.deepEqual(commit?.body, { type: 'commit', cmd: '<commit></commit>' });
    assertNoSecrets(calls, SIMULATOR_CREDENTIALS.panos);
    const state = await panos(h);
    assert.deepEqual(state.blockedIps, ['203.0.113.7/32']);
    assert.equal(state.pendingChanges, false);
    assert.equal(state.commits.length, 1);
  });

  test('blocking twice: no error, the address is in the group once, nothing new to commit', async () => {
    await run(blockIpAction, { ip: '203.0.113.7' }, h.context('panos'));
    const again = await run(blockIpAction, { ip: '203.0.113.7' }, h.context('panos'));
    assert.deepEqual({ changed: again.changed, commit: again.commitJobId }, { changed: false, commit: null });
    const state = await panos(h);
    assert.deepEqual(state.blockedIps, ['203.0.113.7/32']);
    assert.deepEqual(state.groups.find((g) => g.name === 'vigil-blocked')?.members, ['vigil-placeholder', 'vigil-block-203.0.113.7']);
    assert.equal(state.commits.length, 1);
    const second = (await h.calls('panos')).slice(4);
    assert.deepEqual(
      second.map((c) => `${c.method} ${c.status}`),
      ['POST 409', 'GET 200'],
    );
  });

  test('unblock_ip removes the member and the object, then commits; repeating is safe', async () => {
    await run(blockIpAction, { ip: '198.51.100.0/24' }, h.context('panos'));
    const out = await run(unblockIpAction, { ip: '198.51.100.0/24' }, h.context('panos'));
    assert.equal(out.addressObject, 'vigil-block-198.51.100.0_24');
    assert.equal(out.changed, true);
    assert.deepEqual((await panos(h)).blockedIps, []);
    const again = await run(unblockIpAction, { ip: '198.51.100.0/24' }, h.context('panos'));
    assert.deepEqual({ changed: again.changed, commit: again.commitJobId }, { changed: false, commit: null });
    const del = (await h.calls('panos')).filter((c) => c.method === 'DELETE');
    assert.deepEqual(
      del.map((c) => c.status),
      [200, 404],
    );
  });

  test('IPv6 names avoid characters PAN-OS refuses', () => {
    assert.equal(addressObjectName('2001:db8::1'), 'vigil-block-2001-db8--1');
  });

  test('commit can be disabled per connection', async () => {
    const out = await run(blockIpAction, { ip: '203.0.113.8' }, h.context('panos', { settings: { commit: false } }));
    assert.equal(out.commitJobId, null);
    assert.equal((await panos(h)).pendingChanges, true);
  });

  test('bad API key → vendor_unauthorized, not retryable', async () => {
    const err = await expectIntegrationError(run(blockIpAction, { ip: '203.0.113.7' }, h.context('panos', { secrets: { apiKey: 'bad-pan-key' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
      httpStatus: 401,
    });
    assert.match(err.message, /Unauthorized/);
  });

  test('a 500 mid-way is retryable, and the retry completes the block', async () => {
    await h.fault({ vendor: 'panos', path: '/restapi/v10.2/Objects/AddressGroups', method: 'PUT', kind: 'status', status: 500, times: 1 });
    await expectIntegrationError(run(blockIpAction, { ip: '203.0.113.9' }, h.context('panos')), { code: 'vendor_unavailable', retryable: true, httpStatus: 500 });
    const retried = await run(blockIpAction, { ip: '203.0.113.9' }, h.context('panos'));
    assert.equal(retried.changed, true);
    assert.deepEqual((await panos(h)).blockedIps, ['203.0.113.9/32']);
  });
});
