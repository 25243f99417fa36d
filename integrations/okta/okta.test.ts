import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { clearSessionsAction } from './clear-sessions.action.js';
import { suspendUserAction } from './suspend-user.action.js';
import { unsuspendUserAction } from './unsuspend-user.action.js';

const USER = '00ub0oNGTSWTBKOLGLNR';

interface UserState {
  id: string;
  status: string;
  sessionsCleared: number;
  history: Array<{ action: string }>;
}

async function users(h: SimulatorHarness): Promise<UserState[]> {
  return ((await h.state())['okta']?.['users'] ?? []) as UserState[];
}

describe('okta adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('suspend_user: POST /api/v1/users/{id}/lifecycle/suspend with Authorization: SSWS', async () => {
    const out = await run(suspendUserAction, { userId: USER }, h.context('okta'));
    assert.deepEqual(out, { userId: USER, status: 'SUSPENDED', alreadyInState: false });
    const [call] = await h.calls('okta');
    assert.equal(call?.method, 'POST');
    assert.equal(call?.path, `/api/v1/users/${USER}/lifecycle/suspend`);
    assert.equal(call?.headers['authorization'], '[REDACTED]');
    assert.equal(call?.headers['accept'], 'application/json');
    assertNoSecrets(await h.calls('okta'), SIMULATOR_CREDENTIALS.okta);
    assert.equal((await users(h))[0]?.status, 'SUSPENDED');
  });

  test('suspending twice: Okta refuses with E0000001, Vigil reads the user and reports success', async () => {
    await run(suspendUserAction, { userId: USER }, h.context('okta'));
    const again = await run(suspendUserAction, { userId: USER }, h.context('okta'));
    assert.deepEqual(again, { userId: USER, status: 'SUSPENDED', alreadyInState: true });
    const calls = await h.calls('okta');
    assert.deepEqual(
      calls.map((c) => `${c.method} ${c.path} ${c.status}`),
      [`POST /api/v1/users/${USER}/lifecycle/suspend 200`, `POST /api/v1/users/${USER}/lifecycle/suspend 400`, `GET /api/v1/users/${USER} 200`],
    );
    assert.deepEqual(
      (await users(h))[0]?.history.map((x) => x.action),
      ['suspend'],
    );
  });

  test('unsuspend_user is the inverse and idempotent', async () => {
    await run(suspendUserAction, { userId: USER }, h.context('okta'));
    assert.equal((await run(unsuspendUserAction, { userId: USER }, h.context('okta'))).alreadyInState, false);
    assert.equal((await run(unsuspendUserAction, { userId: USER }, h.context('okta'))).alreadyInState, true);
    assert.equal((await users(h))[0]?.status, 'ACTIVE');
  });

  test('clear_sessions: DELETE /api/v1/users/{id}/sessions (204), oauthTokens optional', async () => {
    const out = await run(clearSessionsAction, { userId: USER, oauthTokens: true }, h.context('okta'));
    assert.deepEqual(out, { userId: USER, cleared: true, oauthTokensRevoked: true });
    const [call] = await h.calls('okta');
    assert.equal(call?.method, 'DELETE');
    assert.equal(call?.path, `/api/v1/users/${USER}/sessions`);
    assert.deepEqual(call?.query, { oauthTokens: 'true' });
    assert.equal(call?.status, 204);
    assert.equal((await users(h))[0]?.sessionsCleared, 1);
  });

  test('bad token → E0000011 vendor_unauthorized, not retryable', async () => {
    const err = await expectIntegrationError(run(suspendUserAction, { userId: USER }, h.context('okta', { secrets: { apiToken: '00WrongTokenValue' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
      httpStatus: 401,
    });
    assert.match(err.message, /Invalid token provided/);
  });

  test('unknown user → not found (the 400 path does not mask it)', async () => {
    await expectIntegrationError(run(suspendUserAction, { userId: 'unknown-user' }, h.context('okta')), { code: 'vendor_not_found', retryable: false, httpStatus: 404 });
  });

  test('injected 429 → retryable with the announced delay', async () => {
    await h.fault({ vendor: 'okta', kind: 'status', status: 429, retryAfter: 30, times: 1 });
    const err = await expectIntegrationError(run(suspendUserAction, { userId: USER }, h.context('okta')), { code: 'vendor_rate_limited', retryable: true });
    assert.equal(err.retryAfterMs, 30_000);
    assert.match(err.message, /E0000047|rate limit/);
  });
});
