import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { type AlertWrite, AlertsRepository } from '../../src/alerts/alerts.repository.js';
import type { CanonicalAlert } from '../../src/common/canonical-alert.js';
import { NORMALIZERS } from '../../src/alerts/normalizers/index.js';
import { vigilObservables } from '../../src/alerts/normalizers/finding-observables.js';
import { caseWorkflowId } from '../../workflows/contracts/case-messages.js';
import { createTestTenant, openTestDatabase } from '../support/database.js';

/** Receipt time of every finding here, so one built twice is the same. */
const NOW = Date.parse('2026-03-02T10:15:30Z');

let db: DataSource;
let repo: AlertsRepository;
let tenantId: string;

before(async () => {
  db = await openTestDatabase();
  repo = new AlertsRepository(db);
  tenantId = await createTestTenant(db);
  // The tenant promises an SLA, so its cases start clocks (a tenant without any policy starts none; see below).
  await db.query(
    `INSERT INTO sla_policies (tenant_id, name, severity_id, acknowledge_seconds, contain_seconds, resolve_seconds, clock_start, created_by) VALUES ($1, 'high', 4, 900, 3600, 86400, 'detected', 'test')`,
    [tenantId],
  );
});
after(async () => {
  await db?.destroy();
});

function finding(uid: string, extra: Record<string, unknown> = {}): CanonicalAlert {
  const result = NORMALIZERS.get('generic')!.normalize({ title: 'Impossible travel', severity: 'high', sourceId: uid, host: 'ws-0142', ...extra }, NOW);
  return result.alerts[0]!.alert;
}

const TRIAGE = { id: 'triage', version: '1.0.0', hash: 'sha256-triage' };

/** One alert's write; `fingerprint` names the correlation group, a fresh one per test unless shared on purpose. */
function alertWrite(uid: string, fingerprint: string, options: { playbook?: typeof TRIAGE | null; caseSeverityId?: number; extra?: Record<string, unknown> } = {}): AlertWrite {
  const alert = finding(uid, options.extra);
  const caseId = randomUUID();
  const playbook = options.playbook === undefined ? TRIAGE : options.playbook;
  return {
    tenantId,
    source: 'generic',
    alert,
    observables: vigilObservables(alert),
    raw: { sourceId: uid },
    fingerprint,
    caseSeverityId: options.caseSeverityId ?? alert.severity_id,
    eventTime: new Date(alert.time),
    windowMinutes: 60,
    newCase: { id: caseId, workflowId: caseWorkflowId(caseId), runStatus: playbook ? 'pending' : 'none', playbook },
    joinReason: { fingerprint, fields: ['host'], values: { host: 'ws-0142' }, windowMinutes: 60 },
    taskQueue: `queue-${fingerprint}`,
    postedBy: 'api-key:7d0c2a4e-5b1f-4c3a-9e8d-1f2a3b4c5d6e',
  };
}

function write(w: AlertWrite) {
  return repo.transaction(async (tx) => {
    await tx.lock([`uid:${w.alert.finding_info.uid}`, `fp:${w.fingerprint}`]);
    return tx.writeAlert(w);
  });
}

async function outboxOf(caseId: string): Promise<Array<{ kind: string; task_queue: string; payload: Record<string, unknown> }>> {
  return db.query(`SELECT kind, task_queue, payload FROM outbox WHERE tenant_id = $1 AND case_id = $2 AND kind = 'alert_added' ORDER BY id`, [tenantId, caseId]);
}

/** The case's SLA clock signals (the triggers write them in the same transaction as the fact). */
async function slaSignalsOf(caseId: string): Promise<Array<{ task_queue: string; reason: string }>> {
  return db.query(`SELECT task_queue, payload->>'reason' AS reason FROM outbox WHERE tenant_id = $1 AND case_id = $2 AND kind = 'sla_clocks' ORDER BY id`, [tenantId, caseId]);
}

async function caseRow(caseId: string): Promise<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = await db.query(`SELECT * FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId]);
  return rows[0]!;
}

describe('AlertsRepository on PostgreSQL', () => {
  test('a new alert starts a case with the chosen playbook and queues its outbox row in the same statement', async () => {
    const w = alertWrite('new-1', randomUUID());
    const row = await write(w);
    assert.ok(row);
    assert.deepEqual(
      { caseId: row.caseId, duplicate: row.duplicate, count: row.count, created: row.created, queued: row.queued },
      { caseId: w.newCase.id, duplicate: false, count: 1, created: true, queued: true },
    );

    const c = await caseRow(row.caseId);
    assert.equal(c['status'], 'new');
    assert.equal(c['playbook_id'], 'triage');
    assert.equal(c['playbook_version'], '1.0.0');
    assert.equal(c['playbook_hash'], 'sha256-triage');
    assert.equal(c['run_status'], 'pending');
    assert.equal(c['workflow_id'], w.newCase.workflowId);
    assert.equal(c['alert_count'], 1);
    const alerts: Array<{ id: string; join_reason: { rule: string; fingerprint: string }; finding: unknown; observables: unknown; raw: unknown }> = await db.query(
      `SELECT id, join_reason, finding, observables, raw FROM alerts WHERE tenant_id = $1 AND case_id = $2`,
      [tenantId, row.caseId],
    );
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.id, row.id);
    assert.deepEqual(alerts[0]!.join_reason, { ...w.joinReason, rule: 'new_case' });
    assert.deepEqual(alerts[0]!.finding, w.alert);
    assert.deepEqual(alerts[0]!.observables, w.observables, "Vigil's observables are stored beside the finding");
    assert.ok(w.observables.length > 0);
    assert.deepEqual(alerts[0]!.raw, { sourceId: 'new-1' });

    const outbox = await outboxOf(row.caseId);
    assert.deepEqual(outbox, [
      {
        kind: 'alert_added',
        task_queue: w.taskQueue,
        payload: {
          alertId: row.id,
          severityId: w.caseSeverityId,
          playbookId: 'triage',
          playbookHash: 'sha256-triage',
          finding: w.alert,
          observables: w.observables,
          postedBy: w.postedBy,
        },
      },
    ]);
    assert.deepEqual(await slaSignalsOf(row.caseId), [{ task_queue: w.taskQueue, reason: 'opened' }], 'the opened case starts its SLA clocks on the same queue');
  });

  test('the same uid again updates the alert (count, finding) and raises its case severity, and queues nothing', async () => {
    const fp = randomUUID();
    const first = (await write(alertWrite('dup-1', fp, { caseSeverityId: 3 })))!;
    const again = alertWrite('dup-1', fp, { caseSeverityId: 5, extra: { severity: 'critical', description: 'seen again' } });
    const row = (await write(again))!;
    assert.deepEqual(
      { id: row.id, caseId: row.caseId, duplicate: row.duplicate, count: row.count, created: row.created, queued: row.queued },
      { id: first.id, caseId: first.caseId, duplicate: true, count: 2, created: null, queued: false },
    );
    assert.deepEqual(row.previous, finding('dup-1'), 'the finding as it was before the re-send');
    const c = await caseRow(first.caseId);
    assert.equal(c['severity_id'], 5);
    assert.equal(c['alert_count'], 1);
    assert.equal((await outboxOf(first.caseId)).length, 1);
    assert.deepEqual(
      (await slaSignalsOf(first.caseId)).map((r) => r.reason),
      ['opened', 'case_changed'],
      'the severity raise signals the clocks',
    );
    const stored: Array<{ count: number; finding: unknown }> = await db.query(`SELECT count, finding FROM alerts WHERE id = $1`, [first.id]);
    assert.deepEqual(stored[0], { count: 2, finding: again.alert });
  });

  test('an alert with the fingerprint of an open case joins it, and its outbox row carries that case playbook', async () => {
    const fp = randomUUID();
    const first = (await write(alertWrite('join-1', fp)))!;
    const second = (await write(alertWrite('join-2', fp, { playbook: { id: 'contain', version: '2.0.0', hash: 'sha256-contain' }, caseSeverityId: 5 })))!;
    assert.equal(second.caseId, first.caseId);
    assert.equal(second.created, false);
    assert.equal(second.queued, true);
    const c = await caseRow(first.caseId);
    assert.equal(c['alert_count'], 2);
    assert.equal(c['severity_id'], 5);
    assert.equal(c['playbook_id'], 'triage', 'the case keeps its pinned playbook');
    const outbox = await outboxOf(first.caseId);
    assert.deepEqual(
      outbox.map((o) => [o.payload['alertId'], o.payload['playbookId'], o.payload['severityId']]),
      [
        [first.id, 'triage', 4],
        [second.id, 'triage', 5],
      ],
    );
    const reasons: Array<{ rule: string }> = await db.query(`SELECT join_reason->>'rule' AS rule FROM alerts WHERE case_id = $1 ORDER BY first_seen_at, id`, [first.caseId]);
    assert.deepEqual(
      reasons.map((r) => r.rule),
      ['new_case', 'fingerprint'],
    );
  });

  test('a finished case, a merged case or one quiet for longer than the window takes no more alerts: a new case starts', async () => {
    for (const change of [`status = 'resolved'`, `merged_into = gen_random_uuid()`, `last_alert_at = now() - interval '61 minutes'`]) {
      const fp = randomUUID();
      const first = (await write(alertWrite(`${fp}-1`, fp)))!;
      await db.query(`UPDATE cases SET ${change} WHERE id = $1`, [first.caseId]);
      const second = (await write(alertWrite(`${fp}-2`, fp)))!;
      assert.notEqual(second.caseId, first.caseId, change);
      assert.equal(second.created, true, change);
    }
  });

  test('a case without a playbook gets no outbox row', async () => {
    const row = (await write(alertWrite('quiet-1', randomUUID(), { playbook: null })))!;
    assert.equal(row.created, true);
    assert.equal(row.queued, false);
    assert.equal((await caseRow(row.caseId))['run_status'], 'none');
    assert.deepEqual(await outboxOf(row.caseId), []);
    assert.equal((await slaSignalsOf(row.caseId)).length, 1, 'SLA clocks need no playbook');
  });

  test('SLA clock signals are written only where a policy is in force: the tenant, the provider (MSSP-wide), or clocks the case already has', async () => {
    const other = await createTestTenant(db);
    const caseId = randomUUID();
    const runner = await db.createQueryRunner();
    await runner.startTransaction();
    try {
      // Inside a transaction rolled back at the end, so the provider's policies (other tests may add some) are only hidden here.
      await runner.query(`DELETE FROM sla_policies WHERE tenant_id IN (SELECT id FROM tenants WHERE slug = 'default')`);
      const applies = async (): Promise<boolean> => ((await runner.query(`SELECT vigil_sla_applies($1, $2) AS a`, [other, caseId])) as Array<{ a: boolean }>)[0]!.a;
      assert.equal(await applies(), false, 'no policy anywhere: no clocks');
      await runner.query(
        `INSERT INTO sla_policies (tenant_id, name, severity_id, acknowledge_seconds, contain_seconds, resolve_seconds, clock_start, created_by) SELECT id, 'mssp', 5, 60, 60, 60, 'received', 'test' FROM tenants WHERE slug = 'default'`,
      );
      assert.equal(await applies(), true, 'an MSSP-wide policy covers every tenant');
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  test("an alert's changes are kept newest first, at most twenty", async () => {
    const row = (await write(alertWrite('changes-1', randomUUID())))!;
    await repo.transaction(async (tx) => {
      for (let n = 1; n <= 22; n++) await tx.recordChange(tenantId, row.id, { at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), count: n + 1, fields: [`f${n}`] });
    });
    const rows: Array<{ changes: Array<{ count: number }> }> = await db.query(`SELECT changes FROM alerts WHERE id = $1`, [row.id]);
    const counts = rows[0]!.changes.map((c) => c.count);
    assert.equal(counts.length, 20);
    assert.deepEqual(counts.slice(0, 2), [23, 22]);
    assert.equal(counts[19], 4);
  });

  test('a transaction that throws leaves nothing behind', async () => {
    const w = alertWrite('rolled-back-1', randomUUID());
    await assert.rejects(
      repo.transaction(async (tx) => {
        await tx.writeAlert(w);
        throw new Error('the delivery failed half way');
      }),
      /half way/,
    );
    const rows: unknown[] = await db.query(`SELECT 1 FROM alerts WHERE tenant_id = $1 AND source_uid = $2`, [tenantId, 'rolled-back-1']);
    assert.equal(rows.length, 0);
    assert.deepEqual(await outboxOf(w.newCase.id), []);
    assert.deepEqual(await slaSignalsOf(w.newCase.id), []);
  });

  test('a lock is held until the transaction ends: a second transaction locking the same name waits for it', async () => {
    const name = `lock-test:${randomUUID()}`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const first = repo.transaction(async (tx) => {
      await tx.lock([name, `other:${randomUUID()}`]);
      locked();
      await gate;
    });
    await holding;
    let acquired = false;
    const second = repo.transaction(async (tx) => {
      await tx.lock([name]);
      acquired = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(acquired, false, 'still waiting while the first transaction runs');
    release();
    await Promise.all([first, second]);
    assert.equal(acquired, true);
  });
});
