import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { isolateMachineAction } from './isolate-machine.action.js';
import { releaseMachineAction } from './release-machine.action.js';

const MACHINE = '1e5bc9d7e413ddd7902c2932e418702b84d0cc07';

interface MachineState {
  id: string;
  isolated: boolean;
  isolationType: string | null;
  history: Array<{ action: string }>;
}

async function machines(h: SimulatorHarness): Promise<MachineState[]> {
  return ((await h.state())['defender']?.['machines'] ?? []) as MachineState[];
}

describe('defender adapters', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('isolate_machine: Entra client-credentials token, then POST /api/machines/{id}/isolate {Comment, IsolationType}', async () => {
    const out = await run(isolateMachineAction, { machineId: MACHINE, comment: 'Case 42: ransomware beacon' }, h.context('defender'));
    assert.equal(out.type, 'Isolate');
    assert.equal(out.status, 'Succeeded');
    assert.equal(out.alreadyInState, false);
    assert.match(out.machineActionId ?? '', /^[0-9a-f-]{36}$/);
    const [token, isolate] = await h.calls('defender');
    assert.equal(token?.path, `/login/${SIMULATOR_CREDENTIALS.defender.tenantId}/oauth2/v2.0/token`);
    assert.deepEqual(token?.body, {
      client_id: '[REDACTED]',
      client_secret: '[REDACTED]',
      grant_type: 'client_credentials',
      scope: 'https://api.securitycenter.microsoft.com/.default',
    });
    assert.equal(isolate?.method, 'POST');
    assert.equal(isolate?.path, `/api/machines/${MACHINE}/isolate`);
    assert.deepEqual(isolate?.body, { Comment: 'Case 42: ransomware beacon', IsolationType: 'Full' });
    assert.equal(isolate?.headers['authorization'], '[REDACTED]');
    assertNoSecrets(await h.calls('defender'), { clientId: SIMULATOR_CREDENTIALS.defender.clientId, clientSecret: SIMULATOR_CREDENTIALS.defender.clientSecret });
    const [m] = await machines(h);
    assert.deepEqual({ isolated: m?.isolated, type: m?.isolationType }, { isolated: true, type: 'Full' });
  });

  test('isolating twice: no error, isolated once', async () => {
    await run(isolateMachineAction, { machineId: MACHINE, comment: 'first', isolationType: 'Selective' }, h.context('defender'));
    const again = await run(isolateMachineAction, { machineId: MACHINE, comment: 'retry' }, h.context('defender'));
    assert.deepEqual({ already: again.alreadyInState, id: again.machineActionId }, { already: true, id: null });
    const [m] = await machines(h);
    assert.deepEqual(
      m?.history.map((x) => x.action),
      ['Isolate'],
    );
    assert.equal(m?.isolationType, 'Selective');
  });

  test('release_machine: POST /unisolate {Comment} and idempotent', async () => {
    await run(isolateMachineAction, { machineId: MACHINE, comment: 'contain' }, h.context('defender'));
    const out = await run(releaseMachineAction, { machineId: MACHINE, comment: 'all clear' }, h.context('defender'));
    assert.equal(out.type, 'Unisolate');
    const again = await run(releaseMachineAction, { machineId: MACHINE, comment: 'all clear' }, h.context('defender'));
    assert.equal(again.alreadyInState, true);
    const release = (await h.calls('defender')).find((c) => c.path.endsWith('/unisolate'));
    assert.deepEqual(release?.body, { Comment: 'all clear' });
    const [m] = await machines(h);
    assert.equal(m?.isolated, false);
  });

  test('the token URL is configurable: explicit tokenUrl wins over loginBaseUrl/tenantId', async () => {
    const tokenUrl = `${h.url}/defender/login/${SIMULATOR_CREDENTIALS.defender.tenantId}/oauth2/v2.0/token`;
    await run(
      isolateMachineAction,
      { machineId: MACHINE, comment: 'x' },
      h.context('defender', { settings: { tenantId: 'ignored', loginBaseUrl: 'http://127.0.0.1:9/nowhere', tokenUrl } }),
    );
    assert.equal((await machines(h))[0]?.isolated, true);
  });

  test('bad client secret → vendor_unauthorized, not retryable, secret absent', async () => {
    const err = await expectIntegrationError(
      run(isolateMachineAction, { machineId: MACHINE, comment: 'x' }, h.context('defender', { secrets: { clientSecret: 'definitely-wrong-secret' } })),
      {
        code: 'vendor_unauthorized',
        retryable: false,
        httpStatus: 401,
      },
    );
    assert.match(err.message, /AADSTS7000215/);
    assert.ok(!err.message.includes('definitely-wrong-secret'));
  });

  test('unknown machine → not found; missing tenant setting → connection_incomplete', async () => {
    await expectIntegrationError(run(isolateMachineAction, { machineId: '0000c9d7e413ddd7902c2932e418702b84d0cc07', comment: 'x' }, h.context('defender')), {
      code: 'vendor_not_found',
      retryable: false,
      httpStatus: 404,
    });
    await expectIntegrationError(run(isolateMachineAction, { machineId: MACHINE, comment: 'x' }, h.context('defender', { settings: { tenantId: '' } })), {
      code: 'connection_incomplete',
      retryable: false,
    });
  });

  test('injected 429 → retryable with Retry-After', async () => {
    await h.fault({ vendor: 'defender', path: '/api/machines', kind: 'status', status: 429, retryAfter: 60 });
    const err = await expectIntegrationError(run(isolateMachineAction, { machineId: MACHINE, comment: 'x' }, h.context('defender')), {
      code: 'vendor_rate_limited',
      retryable: true,
    });
    assert.equal(err.retryAfterMs, 60_000);
  });
});
