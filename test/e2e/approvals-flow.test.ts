import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { PlaybookLibraryService } from '../../src/playbooks/playbook-library.service.js';
import { hashKey } from '../../src/tenants/api-keys.service.js';
import type { CaseWorkflowInput } from '../../workflows/contracts/case-messages.js';
import { eventually, http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

const PLAYBOOKS: Record<string, string> = {
  'ask-basic': `
id: ask-basic
name: Ask before blocking
version: "1"
priority: 10
triggers: [{ techniques: [T1101] }]
steps:
  - id: enrich
    kind: action
    action: abuseipdb.check_ip
    with: { ip: "{{lookup observables.ip 0}}" }
    output: rep
  - id: ask
    kind: approval
    question: "Block {{lookup observables.ip 0}} seen on {{alert.device.hostname}}? AbuseIPDB score {{vars.rep.abuseConfidenceScore}}"
    context: { score: vars.rep.abuseConfidenceScore, host: alert.device.hostname }
    guards: block
    levels: [{ roles: [analyst], timeout: 2m }]
    defaultOutcome: reject
    onReject: closed
  - id: block
    kind: action
    action: panos.block_ip
    with: { ip: "{{lookup observables.ip 0}}" }
  - id: done
    kind: end
    status: contained
    summary: "outcome={{steps.ask.output.outcome}}"
  - id: closed
    kind: end
    status: closed
    resolution: benign_positive
    summary: "outcome={{steps.ask.output.outcome}}"
`,
  'ask-quorum': `
id: ask-quorum
name: Two of three analysts
version: "1"
priority: 10
triggers: [{ techniques: [T1102] }]
steps:
  - id: ask
    kind: approval
    question: "Block {{lookup observables.ip 0}}?"
    guards: block
    quorum: 2
    levels: [{ roles: [analyst], timeout: 2m }]
    defaultOutcome: reject
  - id: decide
    kind: condition
    if: "steps.ask.output.outcome == 'approve'"
    then: block
    else: done
  - id: block
    kind: action
    action: panos.block_ip
    with: { ip: "{{lookup observables.ip 0}}" }
  - id: done
    kind: end
    summary: "outcome={{steps.ask.output.outcome}} approvals={{steps.ask.output.approvals}}"
`,
  'ask-escalate': `
id: ask-escalate
name: Escalates, then takes the default
version: "1"
priority: 10
triggers: [{ techniques: [T1103] }]
steps:
  - id: ask
    kind: approval
    question: "Disable the account of {{alert.actor.user.name}}?"
    levels:
      - { roles: [analyst], timeout: 1s }
      - { roles: [admin], timeout: 2s, notify: slack }
    defaultOutcome: reject
  - id: done
    kind: end
    summary: "outcome={{steps.ask.output.outcome}} status={{steps.ask.output.status}} level={{steps.ask.output.level}}"
`,
  'ask-in-sub': `
id: ask-in-sub
name: Asks inside a sub-playbook
version: "1"
priority: 10
triggers: [{ techniques: [T1105] }]
steps:
  - id: sub
    kind: playbook
    playbook: sub-ask
  - { id: done, kind: end }
`,
  'sub-ask': `
id: sub-ask
name: The sub-playbook that asks
version: "1"
priority: 10
triggers: [{ techniques: [T1199] }]
steps:
  - id: ask
    kind: approval
    question: "Go on?"
    levels: [{ roles: [analyst], timeout: 2m }]
    defaultOutcome: reject
  - { id: done, kind: end }
`,
  noop: `
id: noop
name: Nothing
version: "1"
priority: 10
triggers: [{ techniques: [T1104] }]
steps:
  - { id: done, kind: end }
`,
};

interface Approval {
  id: string;
  caseId: string;
  question: string;
  action: string | null;
  target: string | null;
  params: unknown;
  evidence: Record<string, unknown>;
  status: string;
  outcome: string | null;
  outcomeReason: string | null;
  level: number;
  quorum: number;
  approvals: number;
  votes: Array<{ actor: string; decision: string; comment: string | null; level: number; via: string }>;
  requestedBy: string;
  expiresAt: string;
}
interface ErrorBody {
  error: { code: string; message: string; details: { reason?: string } };
}
interface Decision {
  outcome: string;
  status: string;
  approvals: number;
  quorum: number;
  message: string;
}
interface CaseView {
  status: string;
  run: { status: string; workflowId: string };
  timeline: Array<{ kind: string; actor: string; stepId: string | null; message: string; data: Record<string, unknown> }>;
}

let stack: TestStack;
let tenant: TestTenant;
let other: TestTenant;
let analysts: string[];
let connection: Connection;
let client: Client;

before(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-approvals-'));
  for (const [name, text] of Object.entries(PLAYBOOKS)) writeFileSync(path.join(dir, `${name}.yaml`), text);
  stack = await startTestStack({ VIGIL_PLAYBOOKS_DIR: dir });
  tenant = await stack.createTenant('admin');
  other = await stack.createTenant('analyst');
  analysts = await Promise.all([1, 2, 3].map(() => stack.createKey(tenant.id, 'analyst')));
  await stack.startWorker();
  connection = await Connection.connect({ address: stack.config.temporal.address });
  client = new Client({ connection });
});
after(async () => {
  await connection?.close();
  await stack?.stop();
});

let ipCounter = 0;
function nextIp(): string {
  ipCounter += 1;
  return `203.0.113.${ipCounter}`;
}

async function ingest(technique: string, ip: string, extra: Record<string, unknown> = {}, key = tenant.key): Promise<string> {
  const res = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, {
    key,
    body: { title: `Approval drill ${technique} ${ip}`, severity: 'high', host: 'ws-0142', techniques: [technique], observables: [{ type: 'ip', value: ip }], ...extra },
  });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.alerts[0]!.caseId;
}

async function pendingApproval(caseId: string, key = tenant.key): Promise<Approval> {
  return eventually(
    async () => {
      const res = await http<{ items: Approval[] }>('GET', `${stack.url}/api/v1/approvals?status=pending&caseId=${caseId}`, { key });
      return res.body.items[0];
    },
    15_000,
    `a pending approval on case ${caseId}`,
  );
}

function decide(key: string, id: string, decision: 'approve' | 'reject', comment?: string) {
  return http<Decision & ErrorBody>('POST', `${stack.url}/api/v1/approvals/${id}/decision`, { key, body: { decision, ...(comment ? { comment } : {}) } });
}

async function finishedCase(caseId: string, timeoutMs = 15_000): Promise<CaseView> {
  return eventually(
    async () => {
      const c = await http<CaseView>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: tenant.key });
      return c.body.run.status === 'completed' || c.body.run.status === 'failed' ? c.body : undefined;
    },
    timeoutMs,
    `case ${caseId} to finish its run`,
  );
}

function summary(view: CaseView): string {
  return view.timeline.find((e) => e.kind === 'run_finished')?.message ?? '';
}

let userCounter = 0;
/** A user of the tenant, created as its admin would: links name users, and a user's keys vote as the user. */
async function createUser(role = 'analyst', t: TestTenant = tenant): Promise<{ id: string; actor: string }> {
  userCounter += 1;
  const res = await http<{ id: string }>('POST', `${stack.url}/api/v1/tenants/${t.id}/users`, {
    key: t.key,
    body: { email: `approver-${userCounter}@example.com`, name: `Approver ${userCounter}`, role },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id, actor: `user:${res.body.id}` };
}

/** An API key that belongs to a user (it holds the user's role). */
async function keyOf(userId: string, role = 'analyst'): Promise<string> {
  const res = await http<{ key: string }>('POST', `${stack.url}/api/v1/tenants/${tenant.id}/api-keys`, { key: tenant.key, body: { name: `key of ${userId}`, role, userId } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.key;
}

function mintLink(approvalId: string, body: Record<string, unknown>, key = tenant.key) {
  return http<{ url: string; token: string; expiresAt: string; approver: { id: string; roles: string[] } } & ErrorBody>(
    'POST',
    `${stack.url}/api/v1/approvals/${approvalId}/links`,
    { key, body },
  );
}

function useLink(token: string, decision: 'approve' | 'reject') {
  return http<Decision & ErrorBody>('POST', `${stack.url}/api/v1/approvals/links/${token}`, { body: { decision } });
}

async function actorOf(key: string): Promise<string> {
  const rows: Array<{ id: string }> = await stack.db.query(`SELECT id FROM api_keys WHERE key_hash = $1`, [hashKey(key)]);
  return `api-key:${rows[0]!.id}`;
}

describe('approvals end to end', () => {
  test('the pending list shows the question, exact action and target, rendered params and evidence; an analyst approves and the run contains', async () => {
    const ip = nextIp();
    const caseId = await ingest('T1101', ip);
    const a = await pendingApproval(caseId);
    assert.match(a.question, new RegExp(`^Block ${ip.replaceAll('.', '\\.')} seen on ws-0142\\? AbuseIPDB score \\d+$`));
    assert.equal(a.action, 'panos.block_ip');
    assert.equal(a.target, `IP ${ip}`);
    assert.deepEqual(a.params, { ip });
    assert.equal(a.evidence['host'], 'ws-0142');
    assert.equal(typeof a.evidence['score'], 'number');
    assert.equal(a.level, 1);
    assert.equal(a.quorum, 1);
    assert.deepEqual(a.votes, []);
    assert.equal(a.requestedBy, 'playbook');
    assert.ok(Date.parse(a.expiresAt) > Date.now() + 60_000);

    const res = await decide(analysts[0]!, a.id, 'approve', 'confirmed C2');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.outcome, 'approved');
    assert.equal(res.body.status, 'approved');

    const view = await finishedCase(caseId);
    assert.equal(view.run.status, 'completed');
    assert.equal(view.status, 'contained');
    assert.match(summary(view), /outcome=approve/);
    const asked = view.timeline.find((e) => e.kind === 'approval_requested');
    assert.match(asked?.message ?? '', /^approval asked: "Block .*" before panos\.block_ip on IP /);
    const decided = view.timeline.find((e) => e.kind === 'approval_decided');
    assert.equal(decided?.actor, await actorOf(analysts[0]!));
    assert.match(decided?.message ?? '', /approved by api-key:.* \(1 of 1\): confirmed C2/);
    const block = view.timeline.find((e) => e.stepId === 'block' && e.kind === 'step_finished');
    assert.equal(block?.data['inverse'], 'panos.unblock_ip', 'containment records its inverse');
    assert.equal(block?.data['approvalId'], a.id);

    const row = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.equal(row.body.status, 'approved');
    assert.equal(row.body.outcome, 'approve');
    assert.equal(row.body.votes[0]?.comment, 'confirmed C2');
    const audit: Array<{ action: string; actor: string }> = await stack.db.query(`SELECT action, actor FROM audit_log WHERE tenant_id = $1 AND target = $2`, [
      tenant.id,
      `approval:${a.id}`,
    ]);
    assert.deepEqual(
      audit.map((x) => x.action),
      ['approval.decided'],
    );
  });

  test('wrong role: a viewer is refused, and so is an admin on a level for analysts (403)', async () => {
    const caseId = await ingest('T1101', nextIp());
    const a = await pendingApproval(caseId);
    const viewer = await stack.createKey(tenant.id, 'viewer');
    const byViewer = await decide(viewer, a.id, 'approve');
    assert.equal(byViewer.status, 403);
    assert.equal(byViewer.body.error.code, 'forbidden');
    const byAdmin = await decide(tenant.key, a.id, 'approve');
    assert.equal(byAdmin.status, 403);
    assert.equal(byAdmin.body.error.code, 'forbidden');
    assert.equal(byAdmin.body.error.details.reason, 'forbidden_role');
    assert.match(byAdmin.body.error.message, /level 1 of this approval is for role analyst; you hold admin/);
    const still = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.equal(still.body.status, 'pending');
    assert.deepEqual(still.body.votes, []);
    assert.equal((await decide(analysts[1]!, a.id, 'reject', 'false positive')).body.outcome, 'rejected');
    const view = await finishedCase(caseId);
    assert.equal(view.status, 'closed');
    assert.match(summary(view), /outcome=reject/);
  });

  test('already decided: a second decision is refused with 409', async () => {
    const caseId = await ingest('T1101', nextIp());
    const a = await pendingApproval(caseId);
    assert.equal((await decide(analysts[0]!, a.id, 'approve')).status, 200);
    const again = await decide(analysts[1]!, a.id, 'reject');
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'conflict');
    assert.equal(again.body.error.details.reason, 'already_decided');
    await finishedCase(caseId);
  });

  test('two analysts racing (quorum 1): exactly one decides, the other gets 409', async () => {
    const caseId = await ingest('T1101', nextIp());
    const a = await pendingApproval(caseId);
    const results = await Promise.all([decide(analysts[0]!, a.id, 'approve'), decide(analysts[1]!, a.id, 'reject')]);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 409], JSON.stringify(results.map((r) => r.body)));
    const winner = results.find((r) => r.status === 200)!;
    const view = await finishedCase(caseId);
    assert.equal(view.status, winner.body.outcome === 'approved' ? 'contained' : 'closed');
    const row = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.equal(row.body.votes.length, 1, 'one vote recorded');
  });

  test('quorum 2 of 3: the first vote is counted, a repeat vote is refused, the second distinct approval decides', async () => {
    const caseId = await ingest('T1102', nextIp());
    const a = await pendingApproval(caseId);
    assert.equal(a.quorum, 2);
    const first = await decide(analysts[0]!, a.id, 'approve');
    assert.equal(first.status, 200);
    assert.deepEqual(
      { outcome: first.body.outcome, status: first.body.status, approvals: first.body.approvals, quorum: first.body.quorum },
      { outcome: 'counted', status: 'pending', approvals: 1, quorum: 2 },
    );
    const repeat = await decide(analysts[0]!, a.id, 'approve');
    assert.equal(repeat.status, 409);
    assert.equal(repeat.body.error.details.reason, 'already_voted');
    const listed = await pendingApproval(caseId);
    assert.equal(listed.votes.length, 1, 'votes so far are listed');
    const second = await decide(analysts[1]!, a.id, 'approve');
    assert.equal(second.body.outcome, 'approved');
    assert.equal(second.body.approvals, 2);
    const third = await decide(analysts[2]!, a.id, 'approve');
    assert.equal(third.status, 409);
    const view = await finishedCase(caseId);
    assert.match(summary(view), /outcome=approve approvals=2/);
    assert.equal(view.timeline.filter((e) => e.kind === 'approval_vote').length, 1);
    assert.equal(view.timeline.filter((e) => e.kind === 'approval_decided').length, 1);
  });

  test('no decision in time: escalation to the next level with a notification, then the default outcome', async () => {
    const caseId = await ingest('T1103', nextIp(), { user: 'jdoe' });
    const a = await pendingApproval(caseId);
    assert.equal(a.level, 1);
    const escalated = await eventually(
      async () => {
        const res = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
        return res.body.level === 2 ? res.body : undefined;
      },
      10_000,
      'escalation to level 2',
    );
    assert.equal(escalated.status, 'pending');
    // Level 2 is for admins: an analyst is refused now.
    const late = await decide(analysts[0]!, a.id, 'approve');
    assert.equal(late.status, 403);
    assert.equal(late.body.error.details.reason, 'forbidden_role');
    const view = await finishedCase(caseId);
    assert.match(summary(view), /outcome=reject status=expired level=2/);
    const kinds = view.timeline.map((e) => e.kind);
    assert.ok(kinds.indexOf('approval_requested') < kinds.indexOf('approval_escalated'));
    assert.ok(kinds.indexOf('approval_escalated') < kinds.indexOf('approval_expired'));
    const row = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.equal(row.body.status, 'expired');
    assert.equal(row.body.outcome, 'reject');
    assert.match(row.body.outcomeReason ?? '', /default outcome reject/);
    const tooLate = await decide(tenant.key, a.id, 'approve');
    assert.equal(tooLate.status, 409);
    assert.equal(tooLate.body.error.details.reason, 'too_late');
    const slack = await http<Array<{ body: { text?: string } }>>('GET', `${stack.simulatorUrl}/_simulator/calls?vendor=slack`);
    const notice = slack.body.find((c) => (c.body.text ?? '').includes('Disable the account of jdoe?'));
    assert.ok(notice, 'the level-2 channel was told');
    assert.match(notice.body.text ?? '', /^Approval needed \(escalated to level 2\): Disable the account of jdoe\?/);
  });

  test('self-approval: the analyst who started a run may not approve its request', async () => {
    const ip = nextIp();
    const caseId = await ingest('T1104', ip);
    await finishedCase(caseId);
    const starter = analysts[2]!;
    const entry = stack.api.get(PlaybookLibraryService).byId('ask-basic');
    assert.ok(entry);
    const input: CaseWorkflowInput = {
      tenantId: tenant.id,
      caseId,
      playbook: entry.playbook,
      playbookHash: entry.hash,
      idleTimeout: '1s',
      firstAlert: { alertId: `manual-${caseId}`, finding: { observables: [{ kind: 'ip', value: ip }], device: { hostname: 'ws-0142' }, finding_info: { title: 'manual' } } },
      regularActions: ['panos.block_ip'],
      startedBy: await actorOf(starter),
    };
    const handle = await client.workflow.start('caseWorkflow', { workflowId: `manual-run-${caseId}`, taskQueue: stack.config.temporal.taskQueue, args: [input] });
    const a = await pendingApproval(caseId);
    assert.equal(a.requestedBy, await actorOf(starter));
    const own = await decide(starter, a.id, 'approve');
    assert.equal(own.status, 403);
    assert.equal(own.body.error.details.reason, 'self_approval');
    const peer = await decide(analysts[0]!, a.id, 'approve');
    assert.equal(peer.body.outcome, 'approved');
    assert.equal((await handle.result()).runStatus, 'completed');
  });

  test('signed links: valid once, reused refused, expired refused, tampered refused, bound decision enforced', async () => {
    const caseId = await ingest('T1101', nextIp());
    const a = await pendingApproval(caseId);
    const approver = { id: (await createUser()).actor, roles: ['analyst'] };
    const mint = (body: Record<string, unknown>, key = tenant.key) => mintLink(a.id, body, key);

    const byAnalyst = await mint({ approver }, analysts[0]!);
    assert.equal(byAnalyst.status, 403, 'only admins vouch for an approver');

    const short = await mint({ approver, expiresInSeconds: 1 });
    assert.equal(short.status, 201, JSON.stringify(short.body));
    const rejectOnly = await mint({ approver, decision: 'reject' });
    const link = await mint({ approver, decision: 'approve' });
    assert.equal(link.body.url, `${stack.config.api.publicUrl}/api/v1/approvals/links/${link.body.token}`);

    const [payload, signature] = link.body.token.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { approver: { id: string; roles: string[] } };
    forged.approver.roles = ['admin'];
    const tampered = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    for (const method of ['GET', 'POST'] as const) {
      const res = await http<ErrorBody>(method, `${stack.url}/api/v1/approvals/links/${tampered}`, method === 'POST' ? { body: { decision: 'approve' } } : {});
      assert.equal(res.status, 401, `${method} tampered`);
      assert.equal(res.body.error.code, 'invalid_signature');
    }

    await new Promise((r) => setTimeout(r, 1_100));
    const expiredView = await http<ErrorBody>('GET', `${stack.url}/api/v1/approvals/links/${short.body.token}`);
    assert.equal(expiredView.status, 410);
    assert.equal(expiredView.body.error.code, 'link_expired');
    const expiredUse = await http<ErrorBody>('POST', `${stack.url}/api/v1/approvals/links/${short.body.token}`, { body: { decision: 'approve' } });
    assert.equal(expiredUse.status, 410);

    const wrongDecision = await http<ErrorBody>('POST', `${stack.url}/api/v1/approvals/links/${rejectOnly.body.token}`, { body: { decision: 'approve' } });
    assert.equal(wrongDecision.status, 403);

    const view = await http<{ approval: Approval; link: { approver: { id: string }; used: boolean; decision: string } }>(
      'GET',
      `${stack.url}/api/v1/approvals/links/${link.body.token}`,
    );
    assert.equal(view.status, 200);
    assert.equal(view.body.approval.id, a.id);
    assert.equal(view.body.approval.action, 'panos.block_ip');
    assert.equal(view.body.link.approver.id, approver.id);
    assert.equal(view.body.link.used, false);

    const used = await http<Decision>('POST', `${stack.url}/api/v1/approvals/links/${link.body.token}`, { body: {} });
    assert.equal(used.status, 200, JSON.stringify(used.body));
    assert.equal(used.body.outcome, 'approved');
    const reused = await http<ErrorBody>('POST', `${stack.url}/api/v1/approvals/links/${link.body.token}`, { body: { decision: 'approve' } });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.error.code, 'link_used');
    const after = await http<{ link: { used: boolean } }>('GET', `${stack.url}/api/v1/approvals/links/${link.body.token}`);
    assert.equal(after.body.link.used, true);
    // The other spellings of the same signature (base64url's unused low bits) are the same, used link.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const lastSig = alphabet.indexOf(signature!.at(-1)!);
    for (const low of [0, 1, 2, 3].filter((l) => l !== (lastSig & 3))) {
      const respelt = `${payload}.${signature!.slice(0, -1)}${alphabet[(lastSig & ~3) | low]}`;
      const again = await http<ErrorBody>('POST', `${stack.url}/api/v1/approvals/links/${respelt}`, { body: { decision: 'approve' } });
      assert.equal(again.status, 409, `respelt with low bits ${low}`);
      assert.equal(again.body.error.code, 'link_used');
    }

    const row = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.deepEqual(
      row.body.votes.map((v) => [v.actor, v.via]),
      [[approver.id, 'link']],
    );
    await finishedCase(caseId);
  });

  test('approval links stop working while their tenant is suspended', async () => {
    const caseId = await ingest('T1101', nextIp());
    const a = await pendingApproval(caseId);
    const link = await http<{ token: string }>('POST', `${stack.url}/api/v1/approvals/${a.id}/links`, {
      key: tenant.key,
      body: { approver: { id: (await createUser()).actor, roles: ['analyst'] } },
    });
    assert.equal(link.status, 201, JSON.stringify(link.body));
    await stack.db.query(`UPDATE tenants SET status = 'suspended' WHERE id = $1`, [tenant.id]);
    try {
      for (const method of ['GET', 'POST'] as const) {
        const res = await http<ErrorBody>(method, `${stack.url}/api/v1/approvals/links/${link.body.token}`, method === 'POST' ? { body: { decision: 'approve' } } : {});
        assert.equal(res.status, 403, method);
        assert.equal(res.body.error.code, 'tenant_suspended');
      }
    } finally {
      await stack.db.query(`UPDATE tenants SET status = 'active' WHERE id = $1`, [tenant.id]);
    }
    const used = await http<Decision>('POST', `${stack.url}/api/v1/approvals/links/${link.body.token}`, { body: { decision: 'approve' } });
    assert.equal(used.status, 200, 'resumed: the unused link works again');
    await finishedCase(caseId);
  });

  test('four eyes: whoever posted the alert may not approve what its run asks, through that key, another key of theirs or a link; another analyst may', async () => {
    const poster = await createUser('analyst');
    const [first, second] = await Promise.all([keyOf(poster.id), keyOf(poster.id)]);
    const caseId = await ingest('T1101', nextIp(), {}, first!);
    const a = await pendingApproval(caseId);
    assert.equal(a.requestedBy, 'playbook');
    for (const [key, which] of [
      [first!, 'the key that posted the alert'],
      [second!, 'another key of the same user'],
    ] as const) {
      const own = await decide(key, a.id, 'approve');
      assert.equal(own.status, 403, `${which}: ${JSON.stringify(own.body)}`);
      assert.equal(own.body.error.code, 'forbidden');
      assert.equal(own.body.error.details.reason, 'self_approval');
      assert.match(own.body.error.message, /you posted an alert this run acts on/);
    }
    const link = await mintLink(a.id, { approver: { id: poster.actor } });
    assert.equal(link.status, 201, JSON.stringify(link.body));
    const byLink = await useLink(link.body.token, 'approve');
    assert.equal(byLink.status, 403, 'a link for the poster is the poster');
    assert.equal(byLink.body.error.details.reason, 'self_approval');
    const still = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.equal(still.body.status, 'pending');
    assert.deepEqual(still.body.votes, []);
    const peer = await decide(analysts[0]!, a.id, 'approve');
    assert.equal(peer.status, 200, JSON.stringify(peer.body));
    assert.equal(peer.body.outcome, 'approved');
    const view = await finishedCase(caseId);
    assert.equal(view.status, 'contained');
  });

  test("a sub-playbook's approval refuses the poster of the case run's alert too", async () => {
    const poster = await createUser('analyst');
    const caseId = await ingest('T1105', nextIp(), {}, await keyOf(poster.id));
    const a = await pendingApproval(caseId);
    const own = await decide(await keyOf(poster.id), a.id, 'approve');
    assert.equal(own.status, 403, JSON.stringify(own.body));
    assert.equal(own.body.error.details.reason, 'self_approval');
    const peer = await decide(analysts[0]!, a.id, 'approve');
    assert.equal(peer.body.outcome, 'approved');
    assert.equal((await finishedCase(caseId)).run.status, 'completed');
  });

  test('every poster of an alert the run heard is a requester: a key without a user that adds an alert to the case may not approve', async () => {
    const ip = nextIp();
    const caseId = await ingest('T1101', ip);
    const a = await pendingApproval(caseId);
    const joiner = analysts[1]!;
    assert.equal(await ingest('T1101', ip, { description: 'seen again by the proxy' }, joiner), caseId, 'the second alert joined the case');
    await eventually(
      async () => {
        const state = await client.workflow.getHandle(`case-${caseId}`).query<{ alertsSeen: number }>('runState');
        return state.alertsSeen === 2 ? true : undefined;
      },
      10_000,
      'the run to hear the second alert',
    );
    const own = await decide(joiner, a.id, 'approve');
    assert.equal(own.status, 403, JSON.stringify(own.body));
    assert.equal(own.body.error.details.reason, 'self_approval');
    const peer = await decide(analysts[0]!, a.id, 'approve');
    assert.equal(peer.body.outcome, 'approved');
    await finishedCase(caseId);
  });

  test('links name real users: invented approvers are refused, two users fill a quorum of two, one user through a key and a link counts once', async () => {
    const caseId = await ingest('T1102', nextIp());
    const a = await pendingApproval(caseId);
    assert.equal(a.quorum, 2);
    const invented = await mintLink(a.id, { approver: { id: 'user:anyone@example.com', roles: ['analyst'] } });
    assert.equal(invented.status, 400, JSON.stringify(invented.body));
    assert.equal(invented.body.error.code, 'invalid_body');
    assert.equal(invented.body.error.details.reason, 'approver_not_user');
    const unknown = await mintLink(a.id, { approver: { id: 'user:0b5c9a4e-6a0e-4c55-9a7e-2f0d7d1d3b11', roles: ['analyst'] } });
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    const foreigner = await createUser('analyst', { ...other, key: await stack.createKey(other.id, 'admin') });
    const foreign = await mintLink(a.id, { approver: { id: foreigner.actor } });
    assert.equal(foreign.status, 404, "another tenant's user approves nothing here");

    const [u1, u2, u3] = [await createUser('analyst'), await createUser('analyst'), await createUser('analyst')];
    const lent = await mintLink(a.id, { approver: { id: u1!.actor, roles: ['admin'] } });
    assert.equal(lent.status, 400, 'a link cannot lend a role');
    assert.equal(lent.body.error.details.reason, 'approver_roles');

    // One user, two ways in: their key, then a link for them.
    const first = await decide(await keyOf(u1!.id), a.id, 'approve');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.outcome, first.body.approvals, first.body.quorum], ['counted', 1, 2]);
    const sameUser = await mintLink(a.id, { approver: { id: u1!.actor } });
    assert.equal(sameUser.status, 201, JSON.stringify(sameUser.body));
    assert.deepEqual(sameUser.body.approver, { id: u1!.actor, roles: ['analyst'] }, "the link holds its user's role");
    const twice = await useLink(sameUser.body.token, 'approve');
    assert.equal(twice.status, 409, JSON.stringify(twice.body));
    assert.equal(twice.body.error.details.reason, 'already_voted');

    // A removed user's link stops working.
    const gone = await mintLink(a.id, { approver: { id: u3!.actor } });
    assert.equal(gone.status, 201);
    assert.equal((await http('DELETE', `${stack.url}/api/v1/users/${u3!.id}`, { key: tenant.key })).status, 204);
    const byRemoved = await useLink(gone.body.token, 'approve');
    assert.equal(byRemoved.status, 403, JSON.stringify(byRemoved.body));
    assert.equal(byRemoved.body.error.details.reason, 'approver_unknown');

    const second = await useLink((await mintLink(a.id, { approver: { id: u2!.actor, roles: ['analyst'] } })).body.token, 'approve');
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.deepEqual([second.body.outcome, second.body.approvals, second.body.quorum], ['approved', 2, 2]);
    const row = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.deepEqual(
      row.body.votes.map((v) => [v.actor, v.via]),
      [
        [u1!.actor, 'api'],
        [u2!.actor, 'link'],
      ],
    );
    const view = await finishedCase(caseId);
    assert.match(summary(view), /outcome=approve approvals=2/);
  });

  test("tenant isolation: another tenant neither lists, reads, decides nor links this tenant's approvals", async () => {
    const caseId = await ingest('T1101', nextIp());
    const a = await pendingApproval(caseId);
    const list = await http<{ items: Approval[] }>('GET', `${stack.url}/api/v1/approvals?status=pending`, { key: other.key });
    assert.equal(list.status, 200);
    assert.equal(list.body.items.length, 0);
    assert.equal((await http('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: other.key })).status, 404);
    const d = await decide(other.key, a.id, 'approve');
    assert.equal(d.status, 404);
    assert.equal(d.body.error.code, 'not_found');
    const otherAdmin = await stack.createKey(other.id, 'admin');
    assert.equal((await http('POST', `${stack.url}/api/v1/approvals/${a.id}/links`, { key: otherAdmin, body: { approver: { id: 'user:x', roles: ['analyst'] } } })).status, 404);
    const still = await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key });
    assert.equal(still.body.status, 'pending');
    assert.equal((await decide(analysts[0]!, a.id, 'reject')).status, 200);
    await finishedCase(caseId);
  });

  test('bad input: an unknown decision is a 400 with the error shape and changes nothing', async () => {
    const caseId = await ingest('T1101', nextIp());
    const a = await pendingApproval(caseId);
    const res = await http<ErrorBody>('POST', `${stack.url}/api/v1/approvals/${a.id}/decision`, { key: analysts[0]!, body: { decision: 'maybe' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'invalid_body');
    assert.equal((await http('GET', `${stack.url}/api/v1/approvals/not-a-uuid`, { key: tenant.key })).status, 404);
    assert.equal((await http<Approval>('GET', `${stack.url}/api/v1/approvals/${a.id}`, { key: tenant.key })).body.status, 'pending');
    assert.equal((await decide(analysts[0]!, a.id, 'reject')).status, 200);
    await finishedCase(caseId);
  });
});
