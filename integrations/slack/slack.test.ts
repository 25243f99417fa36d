import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { assertNoSecrets, expectIntegrationError, run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { postMessageAction } from './post-message.action.js';

describe('slack.post_message', () => {
  let h: SimulatorHarness;
  before(async () => {
    h = await startSimulatorHarness();
  });
  after(() => h.close());
  beforeEach(() => h.reset());

  test('POST /api/chat.postMessage with a bearer token and JSON body', async () => {
    const out = await run(postMessageAction, { channel: 'C0123456789', text: 'Host WS-0142 contained' }, h.context('slack'));
    assert.equal(out.channel, 'C0123456789');
    assert.match(out.ts, /^\d+\.\d{6}$/);
    assert.equal(out.withApproval, false);
    const [call] = await h.calls('slack');
    assert.equal(call?.method, 'POST');
    assert.equal(call?.path, '/api/chat.postMessage');
    assert.equal(call?.headers['authorization'], '[REDACTED]');
    assert.equal(call?.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(call?.body, { channel: 'C0123456789', text: 'Host WS-0142 contained' });
    assertNoSecrets(call, SIMULATOR_CREDENTIALS.slack);
  });

  test('approval buttons carry the token with action_id vigil_approve / vigil_reject', async () => {
    const token = 'apv_0123456789abcdef0123';
    await run(postMessageAction, { text: 'Approve containment of WS-0142?', approval: { token } }, h.context('slack'));
    const [call] = await h.calls('slack');
    const body = call?.body as { channel: string; blocks: Array<Record<string, unknown>> };
    assert.equal(body.channel, '#soc-alerts', 'falls back to the connection channel');
    assert.deepEqual(body.blocks, [
      { type: 'section', text: { type: 'mrkdwn', text: 'Approve containment of WS-0142?' } },
      {
        type: 'actions',
        block_id: 'vigil_approval',
        elements: [
          { type: 'button', action_id: 'vigil_approve', style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: token },
          { type: 'button', action_id: 'vigil_reject', style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: token },
        ],
      },
    ]);
    const messages = (await h.state())['slack']?.['messages'] as Array<{ approvalToken: string }>;
    assert.equal(messages[0]?.approvalToken, token);
  });

  test('ok:false invalid_auth (HTTP 200) → vendor_unauthorized, not retryable', async () => {
    const err = await expectIntegrationError(run(postMessageAction, { channel: 'C0123456789', text: 'x' }, h.context('slack', { secrets: { botToken: 'xoxb-wrong-token' } })), {
      code: 'vendor_unauthorized',
      retryable: false,
    });
    assert.match(err.message, /invalid_auth/);
    assert.ok(!err.message.includes('xoxb-wrong-token'));
  });

  test('ok:false channel_not_found → vendor_not_found', async () => {
    await expectIntegrationError(run(postMessageAction, { channel: '#unknown-room', text: 'x' }, h.context('slack')), { code: 'vendor_not_found', retryable: false });
  });

  test('HTTP 429 with Retry-After → retryable', async () => {
    await h.fault({ vendor: 'slack', path: '/api/chat.postMessage', kind: 'status', status: 429, retryAfter: 4, times: 1 });
    const err = await expectIntegrationError(run(postMessageAction, { channel: 'C0123456789', text: 'x' }, h.context('slack')), {
      code: 'vendor_rate_limited',
      retryable: true,
      httpStatus: 429,
    });
    assert.equal(err.retryAfterMs, 4000);
  });

  test('no channel anywhere → invalid_input', async () => {
    await expectIntegrationError(run(postMessageAction, { text: 'x' }, h.context('slack', { settings: { channel: '' } })), { code: 'invalid_input', retryable: false });
  });
});
