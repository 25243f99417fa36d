import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../simulator/simulator.js';
import { run, startSimulatorHarness, type SimulatorHarness } from '../../test/support/simulator-harness.js';
import { parseSlackInteraction, signSlackRequest, SlackInteractionError, verifySlackSignature } from './interaction-signature.js';
import { postMessageAction } from './post-message.action.js';

// The worked example from Slack's documentation of request signing.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const DOC_NOW = Number(DOC_TIMESTAMP) * 1000;

function interactionBody(actionId: string, value: string): string {
  const payload = {
    type: 'block_actions',
    user: { id: 'U2CERLKJA', username: 'roadrunner', name: 'roadrunner', team_id: 'T1DC2JH3J' },
    team: { id: 'T1DC2JH3J', domain: 'testteamnow' },
    channel: { id: 'C0123456789', name: 'soc' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0123456789' },
    response_url: 'https://hooks.slack.com/actions/T1/1/abc',
    actions: [{ action_id: actionId, block_id: 'vigil_approval', type: 'button', value, action_ts: '1700000001.000200' }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

describe('verifySlackSignature', () => {
  test('accepts Slack’s documented example', () => {
    assert.equal(signSlackRequest(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY), DOC_SIGNATURE);
    assert.deepEqual(verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY, now: DOC_NOW + 60_000 }), {
      ok: true,
    });
  });
  test('rejects a tampered body or the wrong secret', () => {
    assert.deepEqual(verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: `${DOC_BODY}&x=1`, now: DOC_NOW }), {
      ok: false,
      reason: 'bad_signature',
    });
    assert.deepEqual(verifySlackSignature({ signingSecret: 'another-secret', timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY, now: DOC_NOW }), {
      ok: false,
      reason: 'bad_signature',
    });
  });
  test('rejects a stale timestamp (older or newer than 5 minutes)', () => {
    assert.deepEqual(verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY, now: DOC_NOW + 301_000 }), {
      ok: false,
      reason: 'stale',
    });
    assert.deepEqual(verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: DOC_SIGNATURE, rawBody: DOC_BODY, now: DOC_NOW - 301_000 }), {
      ok: false,
      reason: 'stale',
    });
  });
  test('rejects missing or malformed headers', () => {
    assert.deepEqual(verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: undefined, signature: DOC_SIGNATURE, rawBody: DOC_BODY }), {
      ok: false,
      reason: 'missing_headers',
    });
    assert.deepEqual(verifySlackSignature({ signingSecret: DOC_SECRET, timestamp: DOC_TIMESTAMP, signature: 'v1=abc', rawBody: DOC_BODY, now: DOC_NOW }), {
      ok: false,
      reason: 'malformed',
    });
  });
});

describe('parseSlackInteraction', () => {
  test('approve and reject buttons become decisions with the approval token and Slack user', () => {
    const approve = parseSlackInteraction(interactionBody('vigil_approve', 'apv_tok_1234567890abcdef'));
    assert.deepEqual(approve, {
      approvalToken: 'apv_tok_1234567890abcdef',
      decision: 'approve',
      slackUser: { id: 'U2CERLKJA', username: 'roadrunner', name: 'roadrunner', teamId: 'T1DC2JH3J' },
      channelId: 'C0123456789',
      messageTs: '1700000000.000100',
      responseUrl: 'https://hooks.slack.com/actions/T1/1/abc',
      actionTs: '1700000001.000200',
    });
    assert.equal(parseSlackInteraction(Buffer.from(interactionBody('vigil_reject', 'apv_tok_1234567890abcdef'))).decision, 'reject');
  });
  test('anything else is refused', () => {
    assert.throws(() => parseSlackInteraction('nopayload=1'), SlackInteractionError);
    assert.throws(() => parseSlackInteraction('payload=%7Bnot-json'), SlackInteractionError);
    assert.throws(() => parseSlackInteraction(interactionBody('someone_elses_button', 'x')), /no Vigil approval action/);
  });
});

describe('simulated interaction delivery', () => {
  let h: SimulatorHarness;
  let received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end('');
    });
  });
  let receiverUrl = '';
  before(async () => {
    h = await startSimulatorHarness();
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/v1/slack/interactions`;
  });
  after(async () => {
    await h.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  test('the simulator signs a click on a posted approval message the way Slack does', async () => {
    received = [];
    const token = 'apv_sim_0123456789abcdef';
    await run(postMessageAction, { text: 'Approve?', approval: { token } }, h.context('slack'));
    const res = await fetch(`${h.url}/_simulator/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiverUrl, decision: 'approve', userId: 'U0ANALYST1' }),
    });
    assert.equal(res.status, 200);
    const [delivery] = received;
    assert.ok(delivery);
    const verdict = verifySlackSignature({
      signingSecret: SIMULATOR_CREDENTIALS.slack.signingSecret,
      timestamp: String(delivery.headers['x-slack-request-timestamp']),
      signature: String(delivery.headers['x-slack-signature']),
      rawBody: delivery.body,
    });
    assert.deepEqual(verdict, { ok: true });
    const decision = parseSlackInteraction(delivery.body);
    assert.equal(decision.approvalToken, token);
    assert.equal(decision.decision, 'approve');
    assert.equal(decision.slackUser.id, 'U0ANALYST1');
  });

  test('interactions are only delivered to loopback addresses', async () => {
    const res = await fetch(`${h.url}/_simulator/slack/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://192.0.2.10/hook', decision: 'reject', approvalToken: 'apv_x_0123456789abcdef' }),
    });
    assert.equal(res.status, 400);
  });
});
