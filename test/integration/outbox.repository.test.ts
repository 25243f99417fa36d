import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { alertAddedInsert, OutboxRepository } from '../../src/outbox/outbox.repository.js';
import { createTestTenant, openTestDatabase } from '../support/database.js';

let db: DataSource;
let repo: OutboxRepository;
let tenantId: string;

before(async () => {
  db = await openTestDatabase();
  repo = new OutboxRepository(db);
  tenantId = await createTestTenant(db);
});
after(async () => {
  await db?.destroy();
});

/** Rows of a queue of their own (so relays of other test files never see them), oldest first; returns their ids. */
async function queueRows(taskQueue: string, count: number, caseId = randomUUID()): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) {
    const payload = { alertId: randomUUID(), severityId: 3, playbookId: 'triage', playbookHash: 'sha256-triage', finding: { n } };
    const rows: Array<{ id: string }> = await db.query(
      `INSERT INTO outbox (tenant_id, case_id, kind, task_queue, payload, available_at) VALUES ($1, $2, 'alert_added', $3, $4, now() - make_interval(secs => $5)) RETURNING id`,
      [tenantId, caseId, taskQueue, JSON.stringify(payload), count - n],
    );
    ids.push(rows[0]!.id);
  }
  return ids;
}

/** Ids in the order rows were written (a claim returns its rows in no particular order). */
function idsOf(rows: ReadonlyArray<{ id: string }>): string[] {
  return rows.map((r) => r.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

async function row(id: string): Promise<{ attempts: number; last_error: string | null; waits: boolean } | undefined> {
  const rows: Array<{ attempts: number; last_error: string | null; waits: boolean }> = await db.query(
    `SELECT attempts, last_error, available_at > now() AS waits FROM outbox WHERE id = $1`,
    [id],
  );
  return rows[0];
}

describe('OutboxRepository on PostgreSQL', () => {
  test('a claim leases the oldest available rows of its queue, up to the limit; leased rows are not claimed again', async () => {
    const queue = `q-${randomUUID()}`;
    const ids = await queueRows(queue, 3);
    await queueRows(`q-${randomUUID()}`, 2);

    const first = await repo.claim(queue, 2, 30);
    assert.deepEqual(idsOf(first), ids.slice(0, 2));
    assert.equal(first[0]!.tenant_id, tenantId);
    assert.equal(first[0]!.attempts, 0);
    assert.deepEqual(Object.keys(first[0]!.payload).sort(), ['alertId', 'finding', 'playbookHash', 'playbookId', 'severityId']);
    assert.equal((await row(ids[0]!))!.waits, true, 'leased: available again only when the lease ends');

    const second = await repo.claim(queue, 10, 30);
    assert.deepEqual(idsOf(second), ids.slice(2));
    assert.deepEqual(await repo.claim(queue, 10, 30), []);
  });

  test('a lease that ends makes its rows available again', async () => {
    const queue = `q-${randomUUID()}`;
    const ids = await queueRows(queue, 1);
    assert.equal((await repo.claim(queue, 10, 0.2)).length, 1);
    assert.deepEqual(await repo.claim(queue, 10, 0.2), []);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      (await repo.claim(queue, 10, 30)).map((r) => r.id),
      ids,
    );
  });

  test('claims running at once never take the same row', async () => {
    const queue = `q-${randomUUID()}`;
    const ids = await queueRows(queue, 40);
    const claims = await Promise.all(Array.from({ length: 4 }, () => repo.claim(queue, 15, 30)));
    const claimed = idsOf(claims.flat());
    assert.equal(new Set(claimed).size, claimed.length, 'no row twice');
    assert.deepEqual(claimed, ids);
  });

  test('a failed delivery is recorded and the rows wait for their retry; a delivered row is deleted', async () => {
    const queue = `q-${randomUUID()}`;
    const ids = await queueRows(queue, 3);
    await repo.claim(queue, 10, 0);
    await repo.retryLater(ids.slice(0, 2), 3, 'Temporal did not answer', 60);
    assert.deepEqual(await row(ids[0]!), { attempts: 3, last_error: 'Temporal did not answer', waits: true });
    assert.deepEqual(
      (await repo.claim(queue, 10, 30)).map((r) => r.id),
      ids.slice(2),
      'only the row not waiting for a retry',
    );
    await repo.delete(ids);
    for (const id of ids) assert.equal(await row(id), undefined);
  });

  test('the alert_added insert embeds in another statement and writes a row with the payload fields', async () => {
    const queue = `q-${randomUUID()}`;
    const caseId = randomUUID();
    const alertId = randomUUID();
    const sql = `WITH i AS (SELECT $2::uuid AS case_id, $3::uuid AS id),
queued AS (
  ${alertAddedInsert({
    tenantId: '$1::uuid',
    caseId: 'i.case_id',
    taskQueue: '$4',
    payload: {
      alertId: 'i.id',
      severityId: '5',
      playbookId: `'triage'`,
      playbookHash: `'sha256-triage'`,
      finding: `'{"title":"x"}'::jsonb`,
      observables: `'[{"kind":"ip","name":"device.ip","type_id":2,"type":"IP Address","value":"203.0.113.9","is_private":false}]'::jsonb`,
      postedBy: `'user:analyst-1'`,
    },
    from: 'FROM i',
  })}
  RETURNING id
)
SELECT count(*)::int AS n FROM queued`;
    const rows: Array<{ n: number }> = await db.query(sql, [tenantId, caseId, alertId, queue]);
    assert.equal(rows[0]!.n, 1);
    const claimed = await repo.claim(queue, 10, 30);
    assert.equal(claimed.length, 1);
    assert.equal(claimed[0]!.case_id, caseId);
    assert.deepEqual(claimed[0]!.payload, {
      alertId,
      severityId: 5,
      playbookId: 'triage',
      playbookHash: 'sha256-triage',
      finding: { title: 'x' },
      observables: [{ kind: 'ip', name: 'device.ip', type_id: 2, type: 'IP Address', value: '203.0.113.9', is_private: false }],
      postedBy: 'user:analyst-1',
    });
    const kinds: Array<{ kind: string }> = await db.query(`SELECT kind FROM outbox WHERE id = $1`, [claimed[0]!.id]);
    assert.equal(kinds[0]!.kind, 'alert_added');
  });
});
