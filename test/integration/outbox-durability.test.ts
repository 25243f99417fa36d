import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { runStateQuery } from '../../workflows/contracts/case-messages.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { OwnTemporalServer } from '../support/temporal-dev-server.js';

interface IngestBody {
  alerts: Array<{ id: string; caseId: string; duplicate: boolean }>;
}

/**
 * Nothing acknowledged is lost while Temporal is down: this file starts a Temporal dev server of its
 * own (never the shared one on 7233), stops it, posts alerts (202 every time), starts it again, and
 * checks that every accepted alert reached its case workflow, once.
 */
let server: OwnTemporalServer;
let stack: TestStack;
let worker: RunningWorker;
let tenant: TestTenant;
let connection: Connection | undefined;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-outbox-durability-'));
  server = await OwnTemporalServer.start({ firstPort: 7299, dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'temporal.log') });
  stack = await startTestStack({
    TEMPORAL_ADDRESS: server.address,
    // A database of its own: no other test file's relay (pointing at another Temporal) may take these rows.
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigil_test_outbox_durability',
    VIGIL_OUTBOX_POLL_MS: '200',
  });
  worker = await stack.startWorker();
  tenant = await stack.createTenant();
  // The tenant promises an SLA, so each case it opens starts its clocks through the outbox too.
  await stack.db.query(
    `INSERT INTO sla_policies (tenant_id, name, severity_id, acknowledge_seconds, contain_seconds, resolve_seconds, clock_start, created_by) VALUES ($1, 'high', 4, 3600, 7200, 86400, 'detected', 'test')`,
    [tenant.id],
  );
});

after(async () => {
  await connection?.close().catch(() => undefined);
  await worker?.stop().catch(() => undefined);
  await stack?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (body: unknown): Promise<IngestBody['alerts'][number]> => {
  const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.alerts[0]!;
};
const alert = (uid: string, host: string) => ({
  title: 'Outbox drill',
  severity: 'high',
  sourceId: uid,
  host,
  rule: 'outbox_drill',
  observables: [{ type: 'ip', value: '203.0.113.77' }],
});

test('alerts accepted while Temporal is stopped reach their case workflows once it is back, each exactly once', async () => {
  // Up: the first alert of case A runs its playbook.
  const first = await post(alert('d-0', 'host-a'));
  await eventually(
    async () => {
      const c = await http<{ run: { status: string } }>('GET', `${stack.url}/api/v1/cases/${first.caseId}`, { key: tenant.key });
      return c.body.run.status === 'completed' ? true : undefined;
    },
    20_000,
    'the first case run to complete',
  );

  await server.stop();

  // Down: every delivery is still acknowledged. Case A gets three more; hosts b and c open two new cases;
  // two re-sends update alerts instead of adding them.
  const accepted = [];
  for (let i = 1; i <= 3; i++) accepted.push(await post(alert(`d-a${i}`, 'host-a')));
  for (let i = 1; i <= 3; i++) accepted.push(await post(alert(`d-b${i}`, 'host-b')));
  for (let i = 1; i <= 2; i++) accepted.push(await post(alert(`d-c${i}`, 'host-c')));
  const resent = [await post(alert('d-a1', 'host-a')), await post(alert('d-b1', 'host-b'))];
  assert.deepEqual(
    resent.map((r) => r.duplicate),
    [true, true],
  );
  assert.ok(accepted.every((a) => !a.duplicate));
  assert.equal(new Set(accepted.map((a) => a.caseId)).size, 3);
  assert.ok(accepted.slice(0, 3).every((a) => a.caseId === first.caseId));

  // The relay keeps trying and backs off; the rows stay in the outbox.
  const pending = await eventually(
    async () => {
      const rows: Array<{ n: number; tried: number; clocked: number }> = await stack.db.query(
        `SELECT count(*) FILTER (WHERE kind = 'alert_added')::int AS n, count(*) FILTER (WHERE attempts > 0)::int AS tried,
                count(DISTINCT case_id) FILTER (WHERE kind = 'sla_clocks')::int AS clocked FROM outbox WHERE tenant_id = $1`,
        [tenant.id],
      );
      return rows[0]!.tried > 0 ? rows[0]! : undefined;
    },
    60_000,
    'the relay to fail a delivery while Temporal is down',
  );
  assert.equal(pending.n, 8, 'one outbox row per new alert, none for the re-sends');
  // Cases b and c opened while Temporal was down: each has the row that starts its SLA clocks.
  assert.ok(pending.clocked >= 2, 'every case opened gets its SLA clocks started by an outbox row of its own');

  await server.resume();
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });

  // Back: the outbox drains and each case workflow has seen each of its alerts.
  const cases = [...new Set([first.caseId, ...accepted.map((a) => a.caseId)])];
  const expected = new Map<string, string[]>();
  for (const a of [first, ...accepted]) expected.set(a.caseId, [...(expected.get(a.caseId) ?? []), a.id]);
  await eventually(
    async () => {
      const rows: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM outbox WHERE tenant_id = $1', [tenant.id]);
      if (rows[0]!.n !== 0) return undefined;
      for (const caseId of cases) {
        const state = await client.workflow.getHandle(`case-${caseId}`).query(runStateQuery);
        if (state.alertsSeen !== expected.get(caseId)!.length) return undefined;
      }
      return true;
    },
    90_000,
    'every accepted alert to reach its case workflow',
  );

  for (const caseId of cases) {
    const state = await client.workflow.getHandle(`case-${caseId}`).query(runStateQuery);
    assert.equal(state.alertsSeen, expected.get(caseId)!.length, `case ${caseId}`);
    // The signals carried exactly the case's alerts; a repeat (if the relay had to) is ignored by the workflow.
    const history = await client.workflow.getHandle(`case-${caseId}`).fetchHistory();
    const signalled = new Set<string>();
    for (const e of history.events ?? []) {
      const attrs = e.workflowExecutionSignaledEventAttributes;
      if (attrs?.signalName !== 'alertsAdded') continue;
      for (const m of defaultPayloadConverter.fromPayload<Array<{ alertId: string }>>(attrs.input!.payloads![0] as Payload)) signalled.add(m.alertId);
    }
    assert.deepEqual([...signalled].sort(), [...expected.get(caseId)!].sort(), `case ${caseId} heard of exactly its alerts`);
  }

  // Each case ran its playbook once.
  await eventually(
    async () => {
      const rows: Array<{ n: number }> = await stack.db.query(`SELECT count(*)::int AS n FROM case_events WHERE tenant_id = $1 AND kind = 'run_finished'`, [tenant.id]);
      return rows[0]!.n >= cases.length ? true : undefined;
    },
    30_000,
    'each case run to finish',
  );
  const finished: Array<{ case_id: string; n: number }> = await stack.db.query(
    `SELECT c.id AS case_id, (SELECT count(*)::int FROM case_events e WHERE e.case_id = c.id AND e.kind = 'run_finished') AS n FROM cases c WHERE c.tenant_id = $1 ORDER BY c.id`,
    [tenant.id],
  );
  assert.deepEqual(
    finished.map((f) => f.n),
    cases.map(() => 1),
  );
  const stored: Array<{ n: number }> = await stack.db.query('SELECT count(*)::int AS n FROM alerts WHERE tenant_id = $1', [tenant.id]);
  assert.equal(stored[0]!.n, 9);
});
