import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { disableUserAction } from './disable-user.action.js';
import { enableUserAction } from './enable-user.action.js';
import { revokeSessionsAction } from './revoke-sessions.action.js';

const USER = 'jdoe@corp.example.com';

interface UserState {
  id: string;
  accountEnabled: boolean;
  revocations: number;
  history: Array<{ action: string }>;
}

async function users(h: SimulatorHarness): Promise<UserState[]> {
  return ((await h.state())['graph']?.['users'] ?? []) as UserState[];
}

describe('entra (Microsoft Graph) adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('disable_user: PATCH /v1.0/users/{id} {accountEnabled:false} with a Graph-scoped token', async () => {
    const out = await run(disableUserAction, { userId: USER }, h.context('entra'));
    assert.deepEqual(out, { userId: USER, accountEnabled: false });
    const [token, patch] = await h.calls('graph');
    assert.equal((token?.body as Record<string, unknown>)['scope'], 'https://graph.microsoft.com/.default');
    assert.equal(patch?.method, 'PATCH');
    assert.equal(patch?.path, `/v1.0/users/${encodeURIComponent(USER)}`);
    assert.deepEqual(patch?.body, { accountEnabled: false });
    assert.match(patch?.headers['client-request-id'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assertNoSecrets(await h.calls('graph'), { clientId: SIMULATOR_CREDENTIALS.graph.clientId, clientSecret: SIMULATOR_CREDENTIALS.graph.clientSecret });
    assert.equal((await users(h))[0]?.accountEnabled, false);
  });

  test('disable twice is safe; enable_user is the inverse', async () => {
    await run(disableUserAction, { userId: USER }, h.context('entra'));
    await run(disableUserAction, { userId: USER }, h.context('entra'));
    assert.deepEqual(
      (await users(h))[0]?.history.map((x) => x.action),
      ['disable'],
    );
    const out = await run(enableUserAction, { userId: USER }, h.context('entra'));
    assert.equal(out.accountEnabled, true);
    assert.equal((await users(h))[0]?.accountEnabled, true);
  });

  test('revoke_sessions: POST /revokeSignInSessions → value true', async () => {
    const id = '4562bcc8-c436-4f95-b7c0-4f8ce89dca5e';
    const out = await run(revokeSessionsAction, { userId: id }, h.context('entra'));
    assert.deepEqual(out, { userId: id, revoked: true });
    const call = (await h.calls('graph')).find((c) => c.path.endsWith('/revokeSignInSessions'));
    assert.equal(call?.method, 'POST');
    assert.equal(call?.path, `/v1.0/users/${id}/revokeSignInSessions`);
    assert.equal((await users(h))[0]?.revocations, 1);
  });

  test('unknown user → vendor_not_found with Graph’s message', async () => {
    const err = await expectIntegrationError(run(disableUserAction, { userId: 'unknown.person@corp.example.com' }, h.context('entra')), {
      code: 'vendor_not_found',
      retryable: false,
      httpStatus: 404,
    });
    assert.match(err.message, /Request_ResourceNotFound/);
  });

  test('bad client secret → vendor_unauthorized; bad user ID refused locally', async () => {
    await expectIntegrationError(run(revokeSessionsAction, { userId: USER }, h.context('entra', { secrets: { clientSecret: 'wrong-graph-secret' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
    });
    await expectIntegrationError(run(revokeSessionsAction, { userId: 'not a user' }, h.context('entra')), { code: 'invalid_input', retryable: false });
  });

  test('injected 503 with Retry-After → retryable', async () => {
    await h.fault({ vendor: 'graph', path: '/v1.0/users', kind: 'status', status: 503, retryAfter: 5 });
    const err = await expectIntegrationError(run(disableUserAction, { userId: USER }, h.context('entra')), { code: 'vendor_unavailable', retryable: true, httpStatus: 503 });
    assert.equal(err.retryAfterMs, 5000);
  });
});
