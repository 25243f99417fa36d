import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { ActionRunner } from '../../src/activities/action-runner.js';
import { createCaseActivities } from '../../src/activities/case-activities.js';
import { ApprovalsRepository } from '../../src/approvals/approvals.repository.js';
import { CaseRunsService } from '../../src/cases/case-runs.service.js';
import { SIMULATOR_CREDENTIALS } from '../../integrations/simulator/credentials.js';
import type { RevertCaseResult } from '../../workflows/contracts/revert-messages.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { type CaseBody, falconDetection, finishedCase, playbookDir, postFalconDetection, sensorId, simulatorCalls } from '../support/integrations-fixtures.js';

const CONTAIN_EXPIRING = `
id: contain_expiring
name: Contain the host for two seconds
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1486]
steps:
  - id: contain
    kind: action
    action: crowdstrike.contain_host
    with: { deviceIds: ["{{alert.device.uid}}"] }
    expiresIn: 2s
  - id: done
    kind: end
    status: contained
`;

const CONTAIN_ALL = `
id: contain_all
name: Contain the host, block its address, suspend the user
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1490]
steps:
  - id: contain
    kind: action
    action: crowdstrike.contain_host
    with: { deviceIds: ["{{alert.device.uid}}"] }
  - id: block
    kind: action
    action: panos.block_ip
    with: { ip: "{{alert.device.ip}}" }
  - id: suspend
    kind: action
    action: okta.suspend_user
    with: { userId: "{{alert.actor.user.name}}" }
  - id: done
    kind: end
    status: contained
`;

const APPROVED_CONTAINMENT = `
id: approved_containment
name: Ask, then contain the host
version: "1.0.0"
priority: 10
triggers:
  - techniques: [T1021]
steps:
  - id: ask
    kind: approval
    question: "Contain {{alert.device.hostname}}? It is a protected host."
    guards: contain
    levels: [{ roles: [analyst], timeout: 5m }]
    defaultOutcome: reject
    onReject: done
  - id: contain
    kind: action
    action: crowdstrike.contain_host
    with: { deviceIds: ["{{alert.device.uid}}"] }
  - { id: done, kind: end, status: contained }
`;

const CONTAIN_PATH = '/devices/entities/devices-actions/v2';

interface SimState {
  crowdstrike: { devices: Array<{ device_id: string; status: string; history: Array<{ action: string }> }> };
  panos: { blockedIps: string[] };
}

async function simState(stack: TestStack): Promise<SimState> {
  return (await http<SimState>('GET', `${stack.simulatorUrl}/_simulator/state`)).body;
}

/** The user's status as Okta (the simulator) reports it. */
async function oktaStatus(stack: TestStack, user: string): Promise<string> {
  const res = await http<{ status: string }>('GET', `${stack.simulatorUrl}/okta/api/v1/users/${encodeURIComponent(user)}`, {
    headers: { authorization: `SSWS ${SIMULATOR_CREDENTIALS.okta.apiToken}` },
  });
  assert.equal(res.status, 200);
  return res.body.status;
}

function blocked(state: SimState, ip: string): boolean {
  return state.panos.blockedIps.some((b) => b === ip || b === `${ip}/32`);
}

async function containCalls(stack: TestStack, device: string): Promise<Array<{ query: Record<string, unknown> }>> {
  return (await simulatorCalls(stack.simulatorUrl, 'crowdstrike')).filter((c) => c.path === CONTAIN_PATH && JSON.stringify(c.body).includes(device));
}

function failureOf(error: unknown): ApplicationFailure {
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

describe('containment safety: idempotency, protected assets, expiry, revert', () => {
  let stack: TestStack;
  let worker: RunningWorker;
  let tenant: TestTenant;
  let connection: Connection;
  let client: Client;

  before(async () => {
    stack = await startTestStack({
      VIGIL_PLAYBOOKS_DIR: playbookDir({ 'contain-expiring.yaml': CONTAIN_EXPIRING, 'contain-all.yaml': CONTAIN_ALL, 'approved.yaml': APPROVED_CONTAINMENT }),
    });
    worker = await stack.startWorker();
    tenant = await stack.createTenant();
    connection = await Connection.connect({ address: stack.config.temporal.address });
    client = new Client({ connection });
  });
  after(async () => {
    await worker?.stop();
    await connection?.close();
    await stack?.stop();
  });

  test('the runAction activity called twice with the same key contains the host once', async () => {
    const activities = createCaseActivities({
      runs: stack.api.get(CaseRunsService),
      actions: stack.api.get(ActionRunner),
      approvals: stack.api.get(ApprovalsRepository),
      templatesDir: '/nonexistent',
    });
    const device = sensorId();
    const input = {
      tenantId: tenant.id,
      caseId: randomUUID(),
      workflowId: `case-${randomUUID()}`,
      stepId: 'contain',
      visit: '1',
      action: 'crowdstrike.contain_host',
      params: { deviceIds: [device] },
      scope: {},
      scheduledAt: Date.now(),
      firstStep: false,
    };
    const first = await activities.runAction(input);
    const second = await activities.runAction(input);
    assert.deepEqual(second.output, first.output);
    assert.deepEqual((first.output as { accepted: string[] }).accepted, [device]);
    assert.equal((await containCalls(stack, device)).length, 1, 'the vendor was called once');
    const rows: Array<{ status: string; action: string; inverse: string }> = await stack.db.query(
      'SELECT status, action, inverse FROM containment_actions WHERE tenant_id = $1 AND idempotency_key = $2',
      [tenant.id, `${input.workflowId}:contain:1`],
    );
    assert.deepEqual(rows, [{ status: 'succeeded', action: 'crowdstrike.contain_host', inverse: 'crowdstrike.lift_containment' }]);
    const lines: Array<{ data: Record<string, unknown> }> = await stack.db.query(`SELECT data FROM case_events WHERE tenant_id = $1 AND case_id = $2`, [tenant.id, input.caseId]);
    assert.equal(lines.length, 1, 'one timeline line for the step');

    // A different visit of the step is a different containment: it reaches the vendor (which says already contained).
    const third = await activities.runAction({ ...input, visit: '2' });
    assert.deepEqual((third.output as { alreadyInState: string[] }).alreadyInState, [device]);
    assert.equal((await containCalls(stack, device)).length, 2);
  });

  test('a protected host is refused (non-retryable protected_asset) unless a real override approval is given', async () => {
    const t = await stack.createTenant();
    const added = await http('POST', `${stack.url}/api/v1/protected-assets`, { key: t.key, body: { kind: 'host', pattern: 'dc-*', reason: 'domain controllers' } });
    assert.equal(added.status, 201);
    const runner = stack.api.get(ActionRunner);
    const device = sensorId();
    const caseId = randomUUID();
    const call = {
      tenantId: t.id,
      action: 'crowdstrike.contain_host',
      params: { deviceIds: ['{{alert.device.uid}}'] },
      scope: { alert: { device: { uid: device, hostname: 'DC-PARIS-01' } } },
      idempotencyKey: `case-${caseId}:contain:1`,
      caseId,
      workflowId: `case-${caseId}`,
      stepId: 'contain',
    };
    const refused = failureOf(
      await runner.run(call).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.equal(refused.type, 'protected_asset');
    assert.equal(refused.nonRetryable, true);
    assert.match(refused.message, /host DC-PARIS-01 is protected \(domain controllers\)/);

    // An override naming an approval that does not exist, or was not approved for this action, is refused too.
    const fake = failureOf(
      await runner.run({ ...call, idempotencyKey: `case-${caseId}:contain:2`, override: { approvalId: randomUUID() } }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.equal(fake.type, 'protected_asset');
    assert.match(fake.message, /is not an approved override/);
    const rejectedApproval = randomUUID();
    const approvedApproval = randomUUID();
    for (const [id, status, outcome, visit] of [
      [rejectedApproval, 'rejected', 'reject', '1'],
      [approvedApproval, 'approved', 'approve', '2'],
    ] as const) {
      await stack.db.query(
        `INSERT INTO approvals (id, tenant_id, case_id, workflow_id, step_id, visit, question, action, target, params, evidence, levels, quorum, votes, status, outcome, default_outcome, requested_by, expires_at)
         VALUES ($1, $2, $3, $4, 'approve_override', $8, 'Contain a domain controller?', 'crowdstrike.contain_host', $5, '{}', '{}', '[]', 1, '[]', $6, $7, 'reject', 'playbook', now() + interval '1 hour')`,
        [id, t.id, caseId, `case-${caseId}`, `host ${device}`, status, outcome, visit],
      );
    }
    const stillRefused = failureOf(
      await runner.run({ ...call, idempotencyKey: `case-${caseId}:contain:3`, override: { approvalId: rejectedApproval } }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.equal(stillRefused.type, 'protected_asset');
    assert.equal((await containCalls(stack, device)).length, 0, 'nothing reached the vendor');

    const allowed = await runner.run({ ...call, idempotencyKey: `case-${caseId}:contain:4`, override: { approvalId: approvedApproval } });
    assert.deepEqual((allowed.output as { accepted: string[] }).accepted, [device]);
    assert.equal((await containCalls(stack, device)).length, 1);
    const rows: Array<{ idempotency_key: string; status: string; override_approval_id: string | null }> = await stack.db.query(
      'SELECT idempotency_key, status, override_approval_id FROM containment_actions WHERE tenant_id = $1 ORDER BY created_at',
      [t.id],
    );
    assert.deepEqual(
      rows.map((r) => [r.idempotency_key.split(':').pop(), r.status, r.override_approval_id]),
      [
        ['1', 'failed', null],
        ['2', 'failed', rows[1]!.override_approval_id],
        ['3', 'failed', rejectedApproval],
        ['4', 'succeeded', approvedApproval],
      ],
    );
    // Releasing is never refused: lifting the containment of a protected host goes through.
    const lifted = await runner.run({ ...call, action: 'crowdstrike.lift_containment', idempotencyKey: `case-${caseId}:lift:1` });
    assert.deepEqual((lifted.output as { accepted: string[] }).accepted, [device]);
  });

  test('through a playbook: an approval guarding the step, approved by an analyst, overrides the protection', async () => {
    const t = await stack.createTenant();
    await http('POST', `${stack.url}/api/v1/protected-assets`, { key: t.key, body: { kind: 'host', pattern: 'DC-*', reason: 'domain controllers' } });
    const device = sensorId();
    const caseId = await postFalconDetection(stack, t.key, falconDetection({ sensorId: device, hostname: 'DC-LYON-01', detectId: '4', techniqueId: 'T1021' }));
    const approvalId = await eventually(
      async () =>
        (await http<{ items: Array<{ id: string; status: string }> }>('GET', `${stack.url}/api/v1/approvals?caseId=${caseId}`, { key: t.key })).body.items?.find(
          (a) => a.status === 'pending',
        )?.id,
      30_000,
      'the approval',
    );
    const analyst = await stack.createKey(t.id, 'analyst');
    const decided = await http<{ outcome: string }>('POST', `${stack.url}/api/v1/approvals/${approvalId}/decision`, {
      key: analyst,
      body: { decision: 'approve', comment: 'isolate it, it beacons' },
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    const view = await finishedCase(stack, t.key, caseId);
    assert.equal(view.run.status, 'completed', JSON.stringify(view.timeline.map((l) => l.message)));
    assert.equal((await simState(stack)).crowdstrike.devices.find((d) => d.device_id === device)?.status, 'contained');
    const rows: Array<{ override_approval_id: string | null; status: string }> = await stack.db.query(
      'SELECT override_approval_id, status FROM containment_actions WHERE tenant_id = $1',
      [t.id],
    );
    assert.deepEqual(rows, [{ override_approval_id: approvalId, status: 'succeeded' }]);
  });

  test('through a playbook: the refused containment fails the run and the timeline says why', async () => {
    const t = await stack.createTenant();
    await http('POST', `${stack.url}/api/v1/protected-assets`, { key: t.key, body: { kind: 'user', pattern: 'ceo.*', reason: 'executive accounts' } });
    const device = sensorId();
    const caseId = await postFalconDetection(
      stack,
      t.key,
      falconDetection({ sensorId: device, hostname: 'WS-7001', detectId: '1', techniqueId: 'T1490', userName: 'ceo.smith', localIp: '10.9.0.1' }),
    );
    const view = await finishedCase(stack, t.key, caseId);
    assert.equal(view.run.status, 'failed');
    const failed = view.timeline.find((l) => l.kind === 'step_failed' && l.stepId === 'suspend');
    assert.ok(failed, JSON.stringify(view.timeline.map((l) => l.message)));
    assert.match(failed.message, /okta\.suspend_user refused: user ceo\.smith is protected \(executive accounts\)/);
    assert.equal(view.timeline.filter((l) => l.kind === 'step_failed' && l.stepId === 'suspend').length, 1, 'not retried');
    assert.equal(await oktaStatus(stack, 'ceo.smith'), 'ACTIVE');
    assert.equal(
      (await simulatorCalls(stack.simulatorUrl, 'okta')).filter((c) => c.path.includes('ceo.smith') && c.method === 'POST').length,
      0,
      'Okta was never asked to suspend',
    );
  });

  test('expiresIn: 2s contains the host, then the inverse runs by itself and the timeline says so', async () => {
    const t = await stack.createTenant();
    const device = sensorId();
    const caseId = await postFalconDetection(stack, t.key, falconDetection({ sensorId: device, hostname: 'WS-2001', detectId: '2', techniqueId: 'T1486' }));
    const view = await finishedCase(stack, t.key, caseId);
    assert.equal(view.run.status, 'completed', JSON.stringify(view.timeline.map((l) => l.message)));
    const contained = view.timeline.find((l) => l.kind === 'step_finished' && l.stepId === 'contain')!;
    assert.equal(contained.message, `called crowdstrike.contain_host on host ${device} (reverts itself after 2s)`);
    const containedAt = Date.now();
    assert.equal((await simState(stack)).crowdstrike.devices.find((d) => d.device_id === device)?.status, 'contained');

    const reverted = await eventually(
      async () => {
        const c = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: t.key });
        return c.body.timeline.find((l) => l.kind === 'containment_reverted');
      },
      15_000,
      'the expiry to revert the containment',
    );
    const waited = Date.now() - containedAt;
    assert.equal(reverted.message, `containment expired after 2s: reverted crowdstrike.contain_host on host ${device} (ran crowdstrike.lift_containment)`);
    assert.equal(reverted.actor, 'system');
    assert.ok(waited >= 1_000, `reverted after ${waited} ms, not before the expiry`);
    const device_ = (await simState(stack)).crowdstrike.devices.find((d) => d.device_id === device)!;
    assert.equal(device_.status, 'normal');
    assert.deepEqual(
      device_.history.map((h) => h.action),
      ['contain', 'lift_containment'],
    );

    // A revert of the case afterwards finds nothing left to undo.
    const result: RevertCaseResult = await client.workflow.execute('revertCaseWorkflow', {
      workflowId: `revert-${caseId}`,
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ tenantId: t.id, caseId, requestedBy: 'api-key:test' }],
    });
    assert.deepEqual(result, { reverted: 0, skipped: 1, failed: 0 });
    assert.equal((await containCalls(stack, device)).length, 2, 'contain and the expiry lift, nothing more');
  });

  test('revertCaseWorkflow undoes everything the case contained, newest first, once', async () => {
    const t = await stack.createTenant();
    const device = sensorId();
    const user = `jdoe.${device.slice(0, 6)}`;
    const ip = '10.77.0.9';
    const caseId = await postFalconDetection(
      stack,
      t.key,
      falconDetection({ sensorId: device, hostname: 'WS-3001', detectId: '3', techniqueId: 'T1490', userName: user, localIp: ip }),
    );
    const view = await finishedCase(stack, t.key, caseId);
    assert.equal(view.run.status, 'completed', JSON.stringify(view.timeline.map((l) => l.message)));
    let state = await simState(stack);
    assert.equal(state.crowdstrike.devices.find((d) => d.device_id === device)?.status, 'contained');
    assert.ok(blocked(state, ip), JSON.stringify(state.panos.blockedIps));
    assert.equal(await oktaStatus(stack, user), 'SUSPENDED');

    const result: RevertCaseResult = await client.workflow.execute('revertCaseWorkflow', {
      workflowId: `revert-${caseId}`,
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ tenantId: t.id, caseId, requestedBy: 'api-key:analyst-1' }],
    });
    assert.deepEqual(result, { reverted: 3, skipped: 0, failed: 0 });
    state = await simState(stack);
    assert.equal(state.crowdstrike.devices.find((d) => d.device_id === device)?.status, 'normal');
    assert.ok(!blocked(state, ip));
    assert.equal(await oktaStatus(stack, user), 'ACTIVE');

    const after1 = await http<CaseBody>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: t.key });
    const revertLines = after1.body.timeline.filter((l) => l.kind.startsWith('revert') || l.kind === 'containment_reverted');
    assert.deepEqual(
      revertLines.map((l) => l.message),
      [
        'revert requested by api-key:analyst-1: 3 containment action(s) to undo',
        `reverted okta.suspend_user on user ${user} (ran okta.unsuspend_user)`,
        `reverted panos.block_ip on IP ${ip} (ran panos.unblock_ip)`,
        `reverted crowdstrike.contain_host on host ${device} (ran crowdstrike.lift_containment)`,
        'revert finished: 3 reverted, 0 already reverted, 0 failed',
      ],
    );
    assert.ok(revertLines.every((l) => l.actor === 'api-key:analyst-1'));

    // Asked again: nothing left, no vendor call.
    const before = (await containCalls(stack, device)).length;
    const again: RevertCaseResult = await client.workflow.execute('revertCaseWorkflow', {
      workflowId: `revert-${caseId}`,
      taskQueue: stack.config.temporal.taskQueue,
      args: [{ tenantId: t.id, caseId, requestedBy: 'api-key:analyst-1' }],
    });
    assert.deepEqual(again, { reverted: 0, skipped: 3, failed: 0 });
    assert.equal((await containCalls(stack, device)).length, before);
    // The reverts are in the ledger too, as reverts (never reverted themselves).
    const ledger: Array<{ action: string; reverts_id: string | null; reverted_at: Date | null; revert_reason: string | null }> = await stack.db.query(
      'SELECT action, reverts_id, reverted_at, revert_reason FROM containment_actions WHERE tenant_id = $1 ORDER BY created_at',
      [t.id],
    );
    assert.deepEqual(
      ledger.map((r) => [r.action, r.reverts_id !== null, r.reverted_at !== null, r.revert_reason]),
      [
        ['crowdstrike.contain_host', false, true, 'requested'],
        ['panos.block_ip', false, true, 'requested'],
        ['okta.suspend_user', false, true, 'requested'],
        ['okta.unsuspend_user', true, false, null],
        ['panos.unblock_ip', true, false, null],
        ['crowdstrike.lift_containment', true, false, null],
      ],
    );
  });
});
