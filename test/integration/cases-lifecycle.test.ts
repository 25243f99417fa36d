import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { CaseRunsService } from '../../src/cases/case-runs.service.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface TimelineRow {
  actor: string;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}

async function seedCase(stack: TestStack, tenantId: string, status: string, resolution: string | null = null): Promise<string> {
  const id = randomUUID();
  await stack.db.query(
    `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, run_status, workflow_id, last_alert_at, resolution)
     VALUES ($1, $2, 'Seeded', $3, 3, $4, 'generic', 0, 'running', $5, now(), $6)`,
    [id, tenantId, status, `fp-${id}`, `case-${id}`, resolution],
  );
  return id;
}

async function timeline(stack: TestStack, caseId: string): Promise<TimelineRow[]> {
  return stack.db.query(`SELECT actor, kind, message, data FROM case_events WHERE case_id = $1 ORDER BY at, id`, [caseId]);
}

async function caseRow(stack: TestStack, caseId: string): Promise<{ status: string; resolution: string | null; run_status: string }> {
  const rows: Array<{ status: string; resolution: string | null; run_status: string }> = await stack.db.query(`SELECT status, resolution, run_status FROM cases WHERE id = $1`, [
    caseId,
  ]);
  return rows[0]!;
}

describe('playbook status changes go through the lifecycle table (real PostgreSQL)', () => {
  let stack: TestStack;
  let runs: CaseRunsService;
  let tenant: TestTenant;

  before(async () => {
    stack = await startTestStack({ VIGIL_OUTBOX_ENABLED: 'false' });
    runs = stack.api.get(CaseRunsService);
    tenant = await stack.createTenant();
  });
  after(async () => {
    await stack?.stop();
  });

  test('an allowed `status` step moves the case, with a status_changed line and an audit row', async () => {
    const id = await seedCase(stack, tenant.id, 'new');
    await runs.recordStep({
      tenantId: tenant.id,
      caseId: id,
      stepId: 'work',
      dedupKey: `wf-${id}:work:1`,
      kind: 'step_finished',
      message: 'status set to in_progress',
      status: 'in_progress',
    });
    assert.equal((await caseRow(stack, id)).status, 'in_progress');
    assert.deepEqual(
      (await timeline(stack, id)).map((e) => [e.actor, e.kind]),
      [
        ['playbook', 'step_finished'],
        ['playbook', 'status_changed'],
      ],
    );
    const audit: Array<{ actor: string; action: string; details: Record<string, unknown> }> = await stack.db.query(
      `SELECT actor, action, details FROM audit_log WHERE target = $1`,
      [`case:${id}`],
    );
    assert.deepEqual(audit, [{ actor: 'playbook', action: 'case.status_changed', details: { from: 'new', to: 'in_progress', resolution: null } }]);
  });

  test('a disallowed `status` step is recorded as a refused transition and the run goes on', async () => {
    const id = await seedCase(stack, tenant.id, 'contained');
    await runs.recordStep({
      tenantId: tenant.id,
      caseId: id,
      stepId: 'back',
      dedupKey: `wf-${id}:back:1`,
      kind: 'step_finished',
      message: 'status set to triaged',
      status: 'triaged',
    });
    assert.equal((await caseRow(stack, id)).status, 'contained');
    const lines = await timeline(stack, id);
    assert.deepEqual(
      lines.map((e) => e.kind),
      ['step_finished', 'transition_refused'],
    );
    assert.equal(lines[1]!.message, 'playbook could not move the case from contained to triaged: a case in status contained cannot move to triaged');
    assert.deepEqual(lines[1]!.data, { from: 'contained', to: 'triaged', reason: 'invalid_transition', allowed: ['in_progress', 'on_hold', 'resolved', 'closed'] });
  });

  test('a playbook cannot reopen a case an analyst closed', async () => {
    const id = await seedCase(stack, tenant.id, 'closed', 'true_positive');
    await runs.completeRun({ tenantId: tenant.id, caseId: id, workflowId: `wf-${id}`, runStatus: 'completed', status: 'in_progress', stepsRun: 3 });
    const row = await caseRow(stack, id);
    assert.deepEqual(row, { status: 'closed', resolution: 'true_positive', run_status: 'completed' });
    assert.deepEqual(
      (await timeline(stack, id)).map((e) => e.kind),
      ['transition_refused', 'run_finished'],
    );
  });

  test('an `end` step closing without a resolution is refused; with one it closes and sets it', async () => {
    const without = await seedCase(stack, tenant.id, 'in_progress');
    await runs.completeRun({ tenantId: tenant.id, caseId: without, workflowId: `wf-${without}`, runStatus: 'completed', status: 'closed', stepsRun: 1 });
    assert.equal((await caseRow(stack, without)).status, 'in_progress');
    assert.equal((await timeline(stack, without))[0]!.data['reason'], 'resolution_required');

    const withOne = await seedCase(stack, tenant.id, 'triaged');
    const input = {
      tenantId: tenant.id,
      caseId: withOne,
      workflowId: `wf-${withOne}`,
      runStatus: 'completed' as const,
      status: 'closed' as const,
      resolution: 'benign_positive',
      stepsRun: 2,
    };
    await runs.completeRun(input);
    assert.deepEqual(await caseRow(stack, withOne), { status: 'closed', resolution: 'benign_positive', run_status: 'completed' });
    // A retried activity changes nothing, even after an analyst reopened the case in between.
    await stack.db.query(`UPDATE cases SET status = 'in_progress', resolution = NULL WHERE id = $1`, [withOne]);
    await runs.completeRun(input);
    assert.deepEqual(await caseRow(stack, withOne), { status: 'in_progress', resolution: null, run_status: 'completed' });
    assert.deepEqual(
      (await timeline(stack, withOne)).map((e) => e.kind),
      ['status_changed', 'run_finished'],
    );
  });

  test('an `end` step resolution is ignored for an unfinished status', async () => {
    const id = await seedCase(stack, tenant.id, 'new');
    await runs.completeRun({ tenantId: tenant.id, caseId: id, workflowId: `wf-${id}`, runStatus: 'completed', status: 'triaged', resolution: 'true_positive', stepsRun: 1 });
    assert.deepEqual(await caseRow(stack, id), { status: 'triaged', resolution: null, run_status: 'completed' });
  });
});

describe('merging tells the absorbed case workflow (real Temporal)', () => {
  let stack: TestStack;
  let worker: RunningWorker;
  let tenant: TestTenant;
  let connection: Connection;
  let client: Client;

  before(async () => {
    stack = await startTestStack();
    worker = await stack.startWorker();
    tenant = await stack.createTenant();
    connection = await Connection.connect({ address: stack.config.temporal.address });
    client = new Client({ connection, namespace: stack.config.temporal.namespace });
  });
  after(async () => {
    await connection?.close();
    await worker?.stop();
    await stack?.stop();
  });

  test('the absorbed workflow receives caseMerged, stops waiting for alerts and ends naming the survivor', async () => {
    const post = async (host: string) =>
      http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, {
        key: tenant.key,
        body: { title: 'Suspicious login', severity: 'medium', host, sourceId: `${host}-${randomUUID()}` },
      });
    const a = (await post(`host-a-${randomUUID().slice(0, 6)}`)).body.alerts[0]!.caseId;
    const b = (await post(`host-b-${randomUUID().slice(0, 6)}`)).body.alerts[0]!.caseId;
    assert.notEqual(a, b);
    // Wait until both runs finished their playbook and wait for more alerts (VIGIL_CASE_IDLE_TIMEOUT is 1m in tests).
    for (const id of [a, b]) {
      await eventually(
        async () => {
          const res = await http<{ run: { status: string } }>('GET', `${stack.url}/api/v1/cases/${id}`, { key: tenant.key });
          return res.body.run.status === 'completed' ? true : undefined;
        },
        10_000,
        `case ${id} run to complete`,
      );
    }
    const t0 = Date.now();
    const res = await http<{ workflowNotified: boolean; merged: { status: string; mergedInto: string } }>('POST', `${stack.url}/api/v1/cases/${a}/merge`, {
      key: tenant.key,
      body: { into: b },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.workflowNotified, true);
    const result = (await client.workflow.getHandle(`case-${a}`).result()) as { runStatus: string; mergedInto?: string };
    assert.equal(result.mergedInto, b);
    assert.ok(Date.now() - t0 < 10_000, 'ended on the signal, not on the idle timeout');
    const survivor = await client.workflow.getHandle(`case-${b}`).describe();
    assert.equal(survivor.status.name, 'RUNNING', 'the surviving case workflow keeps waiting for alerts');
    await client.workflow.getHandle(`case-${b}`).terminate('test finished');
  });
  test('closing a case over PATCH ends its workflow instead of leaving it to the idle timeout', async () => {
    const host = `host-c-${randomUUID().slice(0, 6)}`;
    const posted = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, {
      key: tenant.key,
      body: { title: 'Suspicious login', severity: 'medium', host, sourceId: `${host}-${randomUUID()}` },
    });
    const id = posted.body.alerts[0]!.caseId;
    await eventually(
      async () => {
        const res = await http<{ run: { status: string } }>('GET', `${stack.url}/api/v1/cases/${id}`, { key: tenant.key });
        return res.body.run.status === 'completed' ? true : undefined;
      },
      10_000,
      `case ${id} run to complete`,
    );
    const t0 = Date.now();
    const res = await http<{ status: string }>('PATCH', `${stack.url}/api/v1/cases/${id}`, { key: tenant.key, body: { status: 'closed', resolution: 'benign_positive' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'closed');
    const result = (await client.workflow.getHandle(`case-${id}`).result()) as { runStatus: string; mergedInto?: string };
    assert.equal(result.runStatus, 'completed');
    assert.equal(result.mergedInto, undefined);
    assert.ok(Date.now() - t0 < 10_000, 'ended on the signal, not on the idle timeout');
  });
});
