import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DataSource, EntityManager } from 'typeorm';
import type { StepLine } from '../../workflows/contracts/case-activities.js';
import { type NewCaseEvent, TimelineRepository } from '../../src/timeline/timeline.repository.js';
import { startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

/** The database with every statement it is sent written down (`transaction` marks a transaction's start). */
function recorded(db: DataSource): { db: DataSource; statements: string[] } {
  const statements: string[] = [];
  const query = (target: DataSource | EntityManager) => (sql: string, params?: unknown[]) => {
    const words = sql.trim().split(/\s+/);
    // `INSERT INTO case_events`, `UPDATE cases SET`; a CTE is `WITH`.
    statements.push(words[0] === 'WITH' ? 'WITH' : words.slice(0, 3).join(' '));
    return target.query(sql, params);
  };
  const manager = (m: EntityManager): EntityManager => new Proxy(m, { get: (t, p, r) => (p === 'query' ? query(t) : Reflect.get(t, p, r)) });
  const proxy = new Proxy(db, {
    get(t, p, r) {
      if (p === 'query') return query(t);
      if (p === 'manager') return manager(t.manager);
      if (p === 'transaction') {
        return (work: (m: EntityManager) => Promise<unknown>) => {
          statements.push('transaction');
          return t.transaction((m) => work(manager(m)));
        };
      }
      return Reflect.get(t, p, r);
    },
  });
  return { db: proxy, statements };
}

interface Row {
  kind: string;
  step_id: string | null;
  message: string;
  dedup_key: string | null;
  at: Date;
}

describe('TimelineRepository (real PostgreSQL)', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let timeline: TimelineRepository;
  let statements: string[];

  before(async () => {
    stack = await startTestStack({ VIGIL_OUTBOX_ENABLED: 'false' });
    tenant = await stack.createTenant();
    const r = recorded(stack.db);
    timeline = new TimelineRepository(r.db);
    statements = r.statements;
  });
  after(async () => {
    await stack?.stop();
  });

  async function seedCase(runStatus = 'pending', status = 'new'): Promise<string> {
    const id = randomUUID();
    await stack.db.query(
      `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, run_status, workflow_id, last_alert_at)
       VALUES ($1, $2, 'Seeded', $3, 3, $4, 'generic', 0, $5, $6, now())`,
      [id, tenant.id, status, `fp-${id}`, runStatus, `case-${id}`],
    );
    return id;
  }

  async function rows(caseId: string): Promise<Row[]> {
    return stack.db.query(`SELECT kind, step_id, message, dedup_key, at FROM case_events WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id`, [tenant.id, caseId]);
  }

  async function runStatus(caseId: string): Promise<{ run_status: string; status: string }> {
    const found: Array<{ run_status: string; status: string }> = await stack.db.query(`SELECT run_status, status FROM cases WHERE id = $1`, [caseId]);
    return found[0]!;
  }

  function lines(workflowId: string, from: number, ...stepIds: string[]): StepLine[] {
    return stepIds.map((stepId, i) => ({ stepId, dedupKey: `${workflowId}:${stepId}:1`, kind: 'step_finished', message: `${stepId} done`, data: { n: i }, at: from + i }));
  }

  test('carried lines go in as one multi-row INSERT, keep the time each step finished, and a second write keeps one of each', async () => {
    const caseId = await seedCase('running');
    const held = lines(`case-${caseId}`, Date.parse('2026-01-01T10:00:00.000Z'), 'c', 'a', 'b');
    statements.length = 0;
    await timeline.appendLines(tenant.id, caseId, held, false);
    assert.deepEqual(statements, ['INSERT INTO case_events'], 'one statement, no transaction');
    await timeline.appendLines(tenant.id, caseId, held, false);
    const written = await rows(caseId);
    assert.deepEqual(
      written.map((r) => [r.step_id, r.dedup_key, new Date(r.at).toISOString()]),
      [
        ['c', `case-${caseId}:c:1`, '2026-01-01T10:00:00.000Z'],
        ['a', `case-${caseId}:a:1`, '2026-01-01T10:00:00.001Z'],
        ['b', `case-${caseId}:b:1`, '2026-01-01T10:00:00.002Z'],
      ],
    );
  });

  test("the run's first write moves the case from pending to running with its lines, in one transaction", async () => {
    const caseId = await seedCase('pending');
    statements.length = 0;
    await timeline.appendLines(tenant.id, caseId, lines(`case-${caseId}`, Date.now(), 'first'), true);
    assert.deepEqual(statements, ['transaction', 'INSERT INTO case_events', 'UPDATE cases SET']);
    assert.equal((await runStatus(caseId)).run_status, 'running');
    assert.equal((await rows(caseId)).length, 1);
  });

  test("a step's line that changes nothing on the case is one INSERT; a status change goes with it in one transaction, after the carried lines", async () => {
    const caseId = await seedCase('running');
    const workflowId = `case-${caseId}`;
    statements.length = 0;
    await timeline.appendStepLine({ tenantId: tenant.id, caseId, stepId: 'lookup', dedupKey: `${workflowId}:lookup:1`, kind: 'step_finished', message: 'looked up' });
    assert.deepEqual(statements, ['INSERT INTO case_events']);
    statements.length = 0;
    const carried = lines(workflowId, Date.now() - 1000, 'enrich');
    const step = {
      tenantId: tenant.id,
      caseId,
      stepId: 'triage',
      dedupKey: `${workflowId}:triage:1`,
      kind: 'step_finished' as const,
      message: 'status set',
      status: 'in_progress' as const,
    };
    await timeline.appendStep(step, carried);
    assert.equal(statements[0], 'transaction');
    await timeline.appendStep(step, carried);
    assert.deepEqual(
      (await rows(caseId)).map((r) => [r.kind, r.step_id]),
      [
        ['step_finished', 'enrich'],
        ['step_finished', 'lookup'],
        ['step_finished', 'triage'],
        ['status_changed', null],
      ],
    );
    assert.equal((await runStatus(caseId)).status, 'in_progress');
  });

  test("the run's end without a status change: its last lines, run_finished and the case's run status in one statement; a repeat changes nothing", async () => {
    const caseId = await seedCase('running');
    const workflowId = `case-${caseId}`;
    const finished = (message: string): NewCaseEvent => ({
      tenantId: tenant.id,
      caseId,
      actor: 'playbook',
      kind: 'run_finished',
      message,
      data: {},
      dedupKey: `${workflowId}:run_finished`,
    });
    statements.length = 0;
    await timeline.endRun({ tenantId: tenant.id, caseId, runStatus: 'completed', lines: lines(workflowId, Date.now() - 10, 'last') }, finished('completed'));
    assert.deepEqual(statements, ['WITH'], 'one statement');
    assert.equal((await runStatus(caseId)).run_status, 'completed');
    await timeline.endRun({ tenantId: tenant.id, caseId, runStatus: 'failed' }, finished('failed'));
    assert.equal((await runStatus(caseId)).run_status, 'completed', 'the case changes only with a fresh end');
    assert.deepEqual(
      (await rows(caseId)).map((r) => [r.kind, r.message]),
      [
        ['step_finished', 'last done'],
        ['run_finished', 'completed'],
      ],
    );
  });

  test("the run's end with a status change: lines, status change and run_finished in one transaction, in that order", async () => {
    const caseId = await seedCase('running');
    const workflowId = `case-${caseId}`;
    const finished: NewCaseEvent = { tenantId: tenant.id, caseId, actor: 'playbook', kind: 'run_finished', message: 'done', data: {}, dedupKey: `${workflowId}:run_finished` };
    statements.length = 0;
    await timeline.endRun({ tenantId: tenant.id, caseId, runStatus: 'completed', status: 'in_progress', lines: lines(workflowId, Date.now() - 10, 'contain') }, finished);
    assert.equal(statements[0], 'transaction');
    assert.equal(statements.filter((s) => s === 'transaction').length, 1);
    assert.deepEqual(
      (await rows(caseId)).map((r) => r.kind),
      ['step_finished', 'status_changed', 'run_finished'],
    );
    assert.deepEqual(await runStatus(caseId), { run_status: 'completed', status: 'in_progress' });
  });
});
