import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { idempotencyToken } from '../core/idempotency.js';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { sendEmailAction } from './send.action.js';

describe('email.send', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('sends through SMTP with AUTH; the message is recorded as an smtp call', async () => {
    const ctx = h.context('email', { idempotencyKey: 'wf-5/mail' });
    assert.equal(ctx.connection.settings['port'], h.sim.smtpPort, 'the connection points at the bound SMTP port');
    const out = await run(sendEmailAction, { to: ['soc@example.com'], cc: ['lead@example.com'], subject: 'Case 42: host contained', text: 'WS-0142 was contained.' }, ctx);
    assert.deepEqual(out.accepted.sort(), ['lead@example.com', 'soc@example.com']);
    assert.deepEqual(out.rejected, []);
    assert.equal(out.messageId, `<vigil-${idempotencyToken('wf-5/mail', 24)}@example.com>`);
    assert.match(out.response, /^250 /);
    const [call, ...rest] = await h.calls('smtp');
    assert.equal(rest.length, 0);
    assert.equal(call?.method, 'DATA');
    assert.equal(call?.headers['subject'], 'Case 42: host contained');
    assert.equal(call?.headers['from'], 'vigil@example.com');
    assert.equal(call?.headers['message-id'], out.messageId);
    assert.equal(call?.headers['auth-user'], SIMULATOR_CREDENTIALS.smtp.username);
    const body = call?.body as { envelope: { mailFrom: string; rcptTo: string[] }; raw: string };
    assert.deepEqual(body.envelope, { mailFrom: 'vigil@example.com', rcptTo: ['soc@example.com', 'lead@example.com'] });
    assert.match(body.raw, /WS-0142 was contained\./);
    assertNoSecrets(await h.calls('smtp'), { password: SIMULATOR_CREDENTIALS.smtp.password });
  });

  test('wrong password → vendor_unauthorized (535), not retryable, password absent', async () => {
    const err = await expectIntegrationError(
      run(sendEmailAction, { to: ['soc@example.com'], subject: 's', text: 't' }, h.context('email', { secrets: { password: 'wrong-smtp-password' } })),
      {
        code: 'vendor_unauthorized',
        retryable: false,
        httpStatus: 535,
      },
    );
    assert.ok(!err.message.includes('wrong-smtp-password'));
    assert.equal((await h.calls('smtp')).length, 0);
  });

  test('a 451 from the server is transient → retryable; a 550 is not', async () => {
    await h.fault({ vendor: 'smtp', kind: 'status', status: 451, times: 1 });
    await expectIntegrationError(run(sendEmailAction, { to: ['soc@example.com'], subject: 's', text: 't' }, h.context('email')), {
      code: 'vendor_rate_limited',
      retryable: true,
      httpStatus: 451,
    });
    await h.fault({ vendor: 'smtp', kind: 'status', status: 550, times: 1 });
    await expectIntegrationError(run(sendEmailAction, { to: ['soc@example.com'], subject: 's', text: 't' }, h.context('email')), {
      code: 'vendor_bad_request',
      retryable: false,
      httpStatus: 550,
    });
  });

  test('an unreachable server is retryable', async () => {
    await expectIntegrationError(run(sendEmailAction, { to: ['soc@example.com'], subject: 's', text: 't' }, h.context('email', { settings: { port: 1 } })), {
      code: 'vendor_unavailable',
      retryable: true,
    });
  });

  test('header injection through the subject is refused', async () => {
    await expectIntegrationError(run(sendEmailAction, { to: ['soc@example.com'], subject: 'x\r\nBcc: evil@example.com', text: 't' }, h.context('email')), {
      code: 'invalid_input',
      retryable: false,
    });
  });
});
