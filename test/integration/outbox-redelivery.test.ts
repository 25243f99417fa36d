import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { OutboxRelay } from '../../src/outbox/outbox-relay.service.js';
import { runStateQuery } from '../../workflows/contracts/case-messages.js';
import { eventually, http, type RunningWorker, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface IngestBody {
  alerts: Array<{ id: string; caseId: string }>;
}

let stack: TestStack;
let worker: RunningWorker;
let tenant: TestTenant;
let connection: Connection;
let relay: OutboxRelay;

before(async () => {
  stack = await startTestStack({
    // The relay does not run by itself here: the test drives it, and makes its delete fail.
    VIGIL_OUTBOX_ENABLED: 'false',
    VIGIL_OUTBOX_LEASE_MS: '5000',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/vigil_test_outbox_redelivery',
  });
  worker = await stack.startWorker();
  tenant = await stack.createTenant();
  relay = stack.api.get(OutboxRelay);
  connection = await Connection.connect({ address: stack.config.temporal.address });
});
after(async () => {
  await stack?.db.query('DROP TRIGGER IF EXISTS vigil_test_refuse_delete ON outbox').catch(() => undefined);
  await connection?.close();
  await worker?.stop();
  await stack?.stop();
});

test('a relay that signalled but died before deleting its rows delivers them again; the workflow counts each alert once', async () => {
  const post = async (uid: string) => {
    const res = await http<IngestBody>('POST', `${stack.url}/api/v1/alerts/generic`, {
      key: tenant.key,
      body: { title: 'Redelivery drill', severity: 'high', sourceId: uid, host: 'redelivery-host', observables: [{ type: 'ip', value: '203.0.113.88' }] },
    });
    assert.equal(res.status, 202);
    return res.body.alerts[0]!;
  };
  const a = await post('r-1');
  const b = await post('r-2');
  assert.equal(a.caseId, b.caseId);
  const outbox = async () => {
    // The alerts' rows (the case's SLA clock signals are rows of their own kind).
    const rows: Array<{ id: string }> = await stack.db.query(`SELECT id FROM outbox WHERE tenant_id = $1 AND kind = 'alert_added' ORDER BY id`, [tenant.id]);
    return rows.map((r) => r.id);
  };
  const rowIds = await outbox();
  assert.equal(rowIds.length, 2);

  // The "crash": Temporal accepts the signal, then the DELETE of the delivered rows fails.
  assert.match(tenant.id, /^[0-9a-f-]{36}$/);
  await stack.db.query(
    `CREATE OR REPLACE FUNCTION vigil_test_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated crash before the delete'; END $$`,
  );
  await stack.db.query(
    `CREATE TRIGGER vigil_test_refuse_delete BEFORE DELETE ON outbox FOR EACH ROW WHEN (OLD.tenant_id = '${tenant.id}'::uuid) EXECUTE FUNCTION vigil_test_refuse_delete()`,
  );
  assert.equal(await relay.drain(), 2, 'both alerts signalled');
  assert.deepEqual(await outbox(), rowIds, 'the rows are still there');

  const client = new Client({ connection });
  const handle = client.workflow.getHandle(`case-${a.caseId}`);
  await eventually(async () => ((await handle.query(runStateQuery)).alertsSeen === 2 ? true : undefined), 15_000, 'the workflow to see both alerts');

  // Back to normal: once the lease of the dead relay ends, the rows are delivered again and deleted.
  await stack.db.query('DROP TRIGGER vigil_test_refuse_delete ON outbox');
  assert.equal(await relay.drain(), 0, 'leased rows wait for their lease to end');
  const again = await eventually(
    async () => {
      const n = await relay.drain();
      return n > 0 ? n : undefined;
    },
    15_000,
    'the lease to end and the rows to be delivered again',
  );
  assert.equal(again, 2, 'delivered again');
  assert.deepEqual(await outbox(), []);

  const history = await handle.fetchHistory();
  const signals = (history.events ?? [])
    .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'alertsAdded')
    .map((e) => defaultPayloadConverter.fromPayload<Array<{ alertId: string }>>(e.workflowExecutionSignaledEventAttributes!.input!.payloads![0] as Payload).map((m) => m.alertId));
  assert.deepEqual(signals, [
    [a.id, b.id],
    [a.id, b.id],
  ]);
  const state = await handle.query(runStateQuery);
  assert.equal(state.alertsSeen, 2, 'delivered twice, counted once');

  // The playbook ran once: one enrichment, one end of run.
  const view = await eventually(
    async () => {
      const c = await http<{ run: { status: string }; timeline: Array<{ kind: string; stepId: string | null }> }>('GET', `${stack.url}/api/v1/cases/${a.caseId}`, {
        key: tenant.key,
      });
      return c.body.run.status === 'completed' ? c.body : undefined;
    },
    15_000,
    'the run to complete',
  );
  assert.equal(view.timeline.filter((e) => e.kind === 'run_finished').length, 1);
  assert.equal(view.timeline.filter((e) => e.kind === 'step_finished' && e.stepId === 'enrich_ip').length, 1);
});
