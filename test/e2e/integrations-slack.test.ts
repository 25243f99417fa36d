import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SIMULATOR_CREDENTIALS } from '../../integrations/simulator/credentials.js';
import { signSlackRequest } from '../../integrations/slack/interaction-signature.js';
import { ActionRunner } from '../../src/activities/action-runner.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { finishedCase, playbookDir, postGenericAlert, simulatorConnectionBody } from '../support/integrations-fixtures.js';

const ASK = `
id: ask_first
name: Ask before anything
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1566]
steps:
  - id: ask
    kind: approval
    question: "Isolate the mailbox?"
    levels: [{ roles: [analyst], timeout: 5m }]
    defaultOutcome: reject
  - { id: done, kind: end, status: triaged }
`;

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
interface Delivery {
  deliveredTo: string;
  status: number;
  body: string;
}

describe('Slack interactive approvals: POST /api/v1/integrations/slack/interactions', () => {
  let stack: TestStack;
  let worker: RunningWorker;
  let tenant: TestTenant;
  let interactions: string;

  before(async () => {
    stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: playbookDir({ 'ask.yaml': ASK }) });
    worker = await stack.startWorker();
    tenant = await stack.createTenant();
    interactions = `${stack.url}/api/v1/integrations/slack/interactions`;
    const slack = await http('POST', `${stack.url}/api/v1/connections`, { key: tenant.key, body: simulatorConnectionBody(stack.simulatorUrl, 'slack') });
    assert.equal(slack.status, 201);
  });
  after(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  /** Analyst alice, a user of the tenant (links name real users): her actor id, `user:<id>`. */
  const alices = new Map<string, string>();
  async function alice(t: TestTenant): Promise<string> {
    let actor = alices.get(t.id);
    if (!actor) {
      const user = await http<{ id: string }>('POST', `${stack.url}/api/v1/tenants/${t.id}/users`, {
        key: t.key,
        body: { email: 'alice@example.com', name: 'Alice', role: 'analyst' },
      });
      assert.equal(user.status, 201, JSON.stringify(user.body));
      actor = `user:${user.body.id}`;
      alices.set(t.id, actor);
    }
    return actor;
  }

  /** A pending approval of a new case and a link token for analyst alice, as a Slack button would carry it. */
  async function pendingApproval(t: TestTenant): Promise<{ caseId: string; approvalId: string; token: string; approver: string }> {
    const caseId = await postGenericAlert(stack, t.key, { title: `phish ${Date.now()}`, severity: 'high', techniques: ['T1566'] });
    const approvalId = await eventually(
      async () => {
        const list = await http<{ items: Array<{ id: string; status: string }> }>('GET', `${stack.url}/api/v1/approvals?caseId=${caseId}`, { key: t.key });
        return list.body.items?.find((a) => a.status === 'pending')?.id;
      },
      30_000,
      'the approval to be asked',
    );
    const approver = await alice(t);
    const link = await http<{ token: string }>('POST', `${stack.url}/api/v1/approvals/${approvalId}/links`, {
      key: t.key,
      body: { approver: { id: approver, roles: ['analyst'] } },
    });
    assert.equal(link.status, 201, JSON.stringify(link.body));
    return { caseId, approvalId, token: link.body.token, approver };
  }

  test('a click on Approve, signed with the tenant’s signing secret, decides the approval and the run goes on', async () => {
    const { caseId, approvalId, token, approver } = await pendingApproval(tenant);
    // The button as Slack shows it: posted through the tenant's Slack connection.
    const posted = await stack.api.get(ActionRunner).run({
      tenantId: tenant.id,
      action: 'slack.post_message',
      params: { text: 'Isolate the mailbox?', approval: { token } },
      scope: {},
      idempotencyKey: `slack-${approvalId}`,
    });
    const ts = (posted.output as { ts: string }).ts;
    const click = await http<Delivery>('POST', `${stack.simulatorUrl}/_simulator/slack/interactions`, {
      body: { url: interactions, decision: 'approve', messageTs: ts, userId: 'U0ALICE', username: 'alice' },
    });
    assert.equal(click.status, 200);
    assert.equal(click.body.status, 200, click.body.body);
    const answer = JSON.parse(click.body.body) as { approvalId: string; outcome: string; status: string };
    assert.deepEqual([answer.approvalId, answer.outcome, answer.status], [approvalId, 'approved', 'approved']);

    const view = await finishedCase(stack, tenant.key, caseId);
    assert.equal(view.run.status, 'completed');
    const decided = view.timeline.find((l) => l.kind === 'approval_decided')!;
    assert.equal(decided.actor, approver);
    assert.equal(decided.data['via'], 'slack');
    assert.match(decided.message, /via Slack by U0ALICE \(alice\)/);

    // The link is spent: a second click is refused.
    const again = await http<Delivery>('POST', `${stack.simulatorUrl}/_simulator/slack/interactions`, { body: { url: interactions, decision: 'approve', approvalToken: token } });
    assert.equal(again.body.status, 409);
    assert.equal((JSON.parse(again.body.body) as ErrorBody).error.code, 'link_used');
  });

  test('a tenant without a Slack connection of its own accepts no click, not even one signed with the simulator’s public secret', async () => {
    const bare = await stack.createTenant();
    const { approvalId, token } = await pendingApproval(bare);
    const click = await http<Delivery>('POST', `${stack.simulatorUrl}/_simulator/slack/interactions`, { body: { url: interactions, decision: 'approve', approvalToken: token } });
    assert.equal(click.body.status, 401);
    assert.equal((JSON.parse(click.body.body) as ErrorBody).error.code, 'invalid_signature');
    const approval = await http<{ status: string }>('GET', `${stack.url}/api/v1/approvals/${approvalId}`, { key: bare.key });
    assert.equal(approval.body.status, 'pending');
  });

  test('a request not signed with the tenant’s secret is refused with 401 and decides nothing', async () => {
    // This tenant's Slack app has another signing secret: the simulator's signature does not match it.
    const other = await stack.createTenant();
    const created = await http('POST', `${stack.url}/api/v1/connections`, {
      key: other.key,
      body: simulatorConnectionBody(stack.simulatorUrl, 'slack', { secrets: { signingSecret: 'another-apps-signing-secret-0001' } }),
    });
    assert.equal(created.status, 201);
    const { approvalId, token } = await pendingApproval(other);
    const wrongSecret = await http<Delivery>('POST', `${stack.simulatorUrl}/_simulator/slack/interactions`, {
      body: { url: interactions, decision: 'approve', approvalToken: token },
    });
    assert.equal(wrongSecret.body.status, 401);
    assert.equal((JSON.parse(wrongSecret.body.body) as ErrorBody).error.code, 'invalid_signature');

    const payload = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'vigil_approve', value: token }] }))}`;
    const now = String(Math.floor(Date.now() / 1000));
    const signed = (secret: string, timestamp: string, body: string) => ({
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(secret, timestamp, body),
    });
    const post = (body: string, headers: Record<string, string>) => http<ErrorBody>('POST', interactions, { raw: body, contentType: 'application/x-www-form-urlencoded', headers });
    // Signed with the right secret but five minutes and more old: a replay.
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    assert.equal((await post(payload, signed('another-apps-signing-secret-0001', stale, payload))).status, 401);
    // Signed right, then changed on the way.
    assert.equal((await post(payload.replace('vigil_approve', 'vigil_reject'), signed('another-apps-signing-secret-0001', now, payload))).status, 401);
    // No signature at all.
    assert.equal((await post(payload, {})).status, 401);
    // A token naming no tenant.
    const forged = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'vigil_approve', value: 'not-a-vigil-token-at-all' }] }))}`;
    assert.equal((await post(forged, signed(SIMULATOR_CREDENTIALS.slack.signingSecret, now, forged))).status, 401);
    // Not an interaction.
    const junk = await post('hello', signed('another-apps-signing-secret-0001', now, 'hello'));
    assert.equal(junk.status, 400);
    assert.equal(junk.body.error.code, 'bad_request');

    const approval = await http<{ status: string }>('GET', `${stack.url}/api/v1/approvals/${approvalId}`, { key: other.key });
    assert.equal(approval.body.status, 'pending');
    // Signed properly with this tenant's secret, the same click goes through.
    const good = await post(payload, signed('another-apps-signing-secret-0001', now, payload));
    assert.equal(good.status, 200, JSON.stringify(good.body));
  });
});
