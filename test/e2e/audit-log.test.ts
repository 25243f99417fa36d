import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApiKeysService, hashKey } from '../../src/tenants/api-keys.service.js';
import { http, startTestStack, type TestStack } from '../support/stack.js';

interface AuditItem {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  ip: string | null;
  userAgent: string | null;
}
interface AuditPage {
  items: AuditItem[];
  nextCursor: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

const AGENT = 'vigil-audit-test/1.0';

async function seedCase(stack: TestStack, tenantId: string, status = 'new', alerts = 0): Promise<string> {
  const id = randomUUID();
  await stack.db.query(
    `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, run_status, workflow_id, last_alert_at)
     VALUES ($1, $2, 'Seeded', $3, 3, $4, 'generic', $5, 'none', $6, now())`,
    [id, tenantId, status, `fp-${id}`, alerts, `case-${id}`],
  );
  for (let i = 0; i < alerts; i += 1) {
    await stack.db.query(
      `INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, raw, first_seen_at, last_seen_at, join_reason)
       VALUES ($1, $2, 'generic', $3, 'fp', 3, 'a', now(), '{"observables":[]}', '{}', now(), now(), '{}')`,
      [tenantId, id, `${id}-${i}`],
    );
  }
  return id;
}

describe('audit log', () => {
  let stack: TestStack;
  let operator: string;
  let operatorActor: string;
  let tenantId: string;
  let tenantSlug: string;
  /** Admin key of the client tenant, created through the API. */
  let admin: string;
  let adminActor: string;
  const url = (path: string): string => `${stack.url}/api/v1${path}`;
  const call = <T>(method: string, path: string, key: string, body?: unknown) => http<T>(method, url(path), { key, body, headers: { 'user-agent': AGENT } });

  /** Audit rows of the tenant written after `sinceId`, oldest first, straight from PostgreSQL. */
  async function rowsSince(
    sinceId: string,
    tenant = tenantId,
  ): Promise<Array<{ id: string; actor: string; action: string; target: string; details: Record<string, unknown>; ip: string | null; user_agent: string | null }>> {
    return stack.db.query(`SELECT id::text, actor, action, target, details, ip, user_agent FROM audit_log WHERE tenant_id = $1 AND id > $2::bigint ORDER BY id`, [tenant, sinceId]);
  }
  async function lastId(): Promise<string> {
    const rows: Array<{ id: string }> = await stack.db.query(`SELECT COALESCE(max(id), 0)::text AS id FROM audit_log`);
    return rows[0]!.id;
  }

  before(async () => {
    stack = await startTestStack();
    operator = `vgl_test_${randomBytes(16).toString('hex')}`;
    await stack.api.get(ApiKeysService).ensureAdminKey(operator);
    const rows: Array<{ id: string }> = await stack.db.query(`SELECT id FROM api_keys WHERE key_hash = $1`, [hashKey(operator)]);
    operatorActor = `api-key:${rows[0]!.id}`;
    const t = await call<{ id: string; slug: string }>('POST', '/tenants', operator, { name: `Audit ${randomBytes(3).toString('hex')}` });
    tenantId = t.body.id;
    tenantSlug = t.body.slug;
    const k = await call<{ id: string; key: string }>('POST', `/tenants/${tenantId}/api-keys`, operator, { name: 'client admin', role: 'admin' });
    admin = k.body.key;
    adminActor = `api-key:${k.body.id}`;
  });
  after(async () => {
    await stack?.stop();
  });

  describe('every mutating call leaves exactly the expected audit row', () => {
    const expectOne = async (since: string, expected: { actor: string; action: string; target: string; details?: Record<string, unknown> }, tenant = tenantId): Promise<void> => {
      const rows = await rowsSince(since, tenant);
      assert.equal(rows.length, 1, `rows: ${JSON.stringify(rows)}`);
      const row = rows[0]!;
      assert.equal(row.actor, expected.actor);
      assert.equal(row.action, expected.action);
      assert.equal(row.target, expected.target);
      assert.equal(row.user_agent, AGENT);
      assert.match(row.ip ?? '', /127\.0\.0\.1/);
      if (expected.details) for (const [k, v] of Object.entries(expected.details)) assert.deepEqual(row.details[k], v, `details.${k}`);
    };

    test('tenant.created (in the new tenant), tenant.suspended, tenant.resumed', async () => {
      let since = await lastId();
      const t = await call<{ id: string; slug: string }>('POST', '/tenants', operator, { name: `Audited ${randomBytes(3).toString('hex')}` });
      await expectOne(since, { actor: operatorActor, action: 'tenant.created', target: `tenant:${t.body.id}`, details: { slug: t.body.slug } }, t.body.id);
      since = await lastId();
      await call('POST', `/tenants/${t.body.id}/suspend`, operator);
      await expectOne(since, { actor: operatorActor, action: 'tenant.suspended', target: `tenant:${t.body.id}` }, t.body.id);
      since = await lastId();
      await call('POST', `/tenants/${t.body.id}/suspend`, operator);
      assert.equal((await rowsSince(since, t.body.id)).length, 0, 'a no-op suspend writes nothing');
      await call('POST', `/tenants/${t.body.id}/resume`, operator);
      await expectOne(since, { actor: operatorActor, action: 'tenant.resumed', target: `tenant:${t.body.id}` }, t.body.id);
    });

    test('api_key.created (never with the key) and api_key.revoked', async () => {
      let since = await lastId();
      const k = await call<{ id: string; key: string }>('POST', `/tenants/${tenantId}/api-keys`, admin, { name: 'siem', role: 'ingest' });
      await expectOne(since, { actor: adminActor, action: 'api_key.created', target: `api_key:${k.body.id}`, details: { role: 'ingest', name: 'siem' } });
      const rows = await rowsSince(since);
      assert.ok(!JSON.stringify(rows).includes(k.body.key), 'the key value is not in the audit log');
      since = await lastId();
      await call('DELETE', `/api-keys/${k.body.id}`, admin);
      await expectOne(since, { actor: adminActor, action: 'api_key.revoked', target: `api_key:${k.body.id}` });
      since = await lastId();
      await call('DELETE', `/api-keys/${k.body.id}`, admin);
      assert.equal((await rowsSince(since)).length, 0, 'revoking a revoked key writes nothing');
    });

    test('user.created and user.removed', async () => {
      let since = await lastId();
      const u = await call<{ id: string }>('POST', `/tenants/${tenantId}/users`, admin, { email: `u-${randomBytes(3).toString('hex')}@x.example`, name: 'U', role: 'viewer' });
      await expectOne(since, { actor: adminActor, action: 'user.created', target: `user:${u.body.id}`, details: { role: 'viewer' } });
      since = await lastId();
      await call('DELETE', `/users/${u.body.id}`, admin);
      await expectOne(since, { actor: adminActor, action: 'user.removed', target: `user:${u.body.id}`, details: { revokedKeys: [] } });
    });

    test('case.updated with the changes', async () => {
      const caseId = await seedCase(stack, tenantId);
      const since = await lastId();
      const res = await call('PATCH', `/cases/${caseId}`, admin, { status: 'triaged', assignee: 'ana', tags: ['x'] });
      assert.equal(res.status, 200);
      await expectOne(since, {
        actor: adminActor,
        action: 'case.updated',
        target: `case:${caseId}`,
        details: { changes: { status: { from: 'new', to: 'triaged' }, assignee: { from: null, to: 'ana' }, tags: { from: [], to: ['x'], added: ['x'], removed: [] } } },
      });
    });

    test('case.commented, case.task_created, case.task_updated', async () => {
      const caseId = await seedCase(stack, tenantId);
      let since = await lastId();
      const c = await call<{ id: string }>('POST', `/cases/${caseId}/comments`, admin, { body: 'note' });
      await expectOne(since, { actor: adminActor, action: 'case.commented', target: `case:${caseId}`, details: { commentId: c.body.id } });
      since = await lastId();
      const t = await call<{ id: string }>('POST', `/cases/${caseId}/tasks`, admin, { title: 'do it' });
      await expectOne(since, { actor: adminActor, action: 'case.task_created', target: `case:${caseId}`, details: { taskId: t.body.id, title: 'do it' } });
      since = await lastId();
      await call('PATCH', `/cases/${caseId}/tasks/${t.body.id}`, admin, { done: true });
      await expectOne(since, {
        actor: adminActor,
        action: 'case.task_updated',
        target: `case:${caseId}`,
        details: { taskId: t.body.id, changes: { done: { from: false, to: true } } },
      });
    });

    test('case.merged on the absorbed case', async () => {
      const a = await seedCase(stack, tenantId, 'new', 2);
      const b = await seedCase(stack, tenantId, 'triaged', 1);
      const since = await lastId();
      const res = await call('POST', `/cases/${a}/merge`, admin, { into: b });
      assert.equal(res.status, 200);
      await expectOne(since, { actor: adminActor, action: 'case.merged', target: `case:${a}`, details: { into: b, alertsMoved: 2, previousStatus: 'new' } });
    });

    test('case.revert_requested', async () => {
      const caseId = await seedCase(stack, tenantId, 'contained');
      const since = await lastId();
      const res = await call<{ revertWorkflowId: string }>('POST', `/cases/${caseId}/revert`, admin);
      assert.equal(res.status, 202);
      await expectOne(since, { actor: adminActor, action: 'case.revert_requested', target: `case:${caseId}`, details: { revertWorkflowId: `revert-${caseId}` } });
      const { Client, Connection } = await import('@temporalio/client');
      const connection = await Connection.connect({ address: stack.config.temporal.address });
      await new Client({ connection, namespace: stack.config.temporal.namespace }).workflow.getHandle(`revert-${caseId}`).terminate('test finished');
      await connection.close();
    });

    test('refused changes write no audit row', async () => {
      const caseId = await seedCase(stack, tenantId);
      const since = await lastId();
      assert.equal((await call('PATCH', `/cases/${caseId}`, admin, { status: 'resolved' })).status, 409);
      assert.equal((await call('PATCH', `/cases/${caseId}`, admin, { status: 'closed' })).status, 400);
      assert.equal((await call('POST', `/cases/${caseId}/merge`, admin, { into: caseId })).status, 400);
      assert.equal((await call('POST', `/tenants/${tenantId}/api-keys`, admin, { name: 'x', role: 'root' })).status, 400);
      assert.equal((await rowsSince(since)).length, 0);
    });
  });

  describe('nothing can edit or delete it', () => {
    test('a direct UPDATE, DELETE or TRUNCATE of audit rows fails in PostgreSQL', async () => {
      const before: Array<{ n: string }> = await stack.db.query(`SELECT count(*)::text AS n FROM audit_log WHERE tenant_id = $1`, [tenantId]);
      assert.ok(Number(before[0]!.n) > 0);
      await assert.rejects(stack.db.query(`UPDATE audit_log SET actor = 'someone-else' WHERE tenant_id = $1`, [tenantId]), /append-only: UPDATE/);
      await assert.rejects(stack.db.query(`DELETE FROM audit_log WHERE tenant_id = $1`, [tenantId]), /append-only: DELETE/);
      await assert.rejects(stack.db.query(`TRUNCATE audit_log`), /append-only: TRUNCATE/);
      const after: Array<{ n: string; forged: string }> = await stack.db.query(
        `SELECT count(*)::text AS n, count(*) FILTER (WHERE actor = 'someone-else')::text AS forged FROM audit_log WHERE tenant_id = $1`,
        [tenantId],
      );
      assert.deepEqual(after[0], { n: before[0]!.n, forged: '0' });
    });
  });

  describe('GET /audit', () => {
    let own: string;
    before(async () => {
      // A fresh tenant with a known history: 5 case updates by the admin, 2 key creations.
      const t = await call<{ id: string }>('POST', '/tenants', operator, { name: `Query ${randomBytes(3).toString('hex')}` });
      const k = await call<{ id: string; key: string }>('POST', `/tenants/${t.body.id}/api-keys`, operator, { name: 'adm', role: 'admin' });
      own = k.body.key;
      for (let i = 0; i < 5; i += 1) {
        const caseId = await seedCase(stack, t.body.id);
        await call('PATCH', `/cases/${caseId}`, own, { tags: [`t${i}`] });
      }
      await call('POST', `/tenants/${t.body.id}/api-keys`, own, { name: 'k1', role: 'viewer' });
      await call('POST', `/tenants/${t.body.id}/api-keys`, own, { name: 'k2', role: 'viewer' });
    });

    test('lists newest first with every field', async () => {
      const res = await call<AuditPage>('GET', '/audit', own);
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.items.map((e) => e.action),
        ['api_key.created', 'api_key.created', 'case.updated', 'case.updated', 'case.updated', 'case.updated', 'case.updated', 'api_key.created', 'tenant.created'],
      );
      const first = res.body.items[0]!;
      assert.equal(first.userAgent, AGENT);
      assert.ok(first.ip);
      assert.ok(!Number.isNaN(Date.parse(first.at)));
      assert.equal(res.body.nextCursor, null);
    });

    test('filters by action, action prefix, actor and time range', async () => {
      const byAction = await call<AuditPage>('GET', '/audit?action=case.updated', own);
      assert.equal(byAction.body.items.length, 5);
      const byPrefix = await call<AuditPage>('GET', '/audit?action=api_key.*', own);
      assert.equal(byPrefix.body.items.length, 3);
      const actor = byAction.body.items[0]!.actor;
      const byActor = await call<AuditPage>('GET', `/audit?actor=${encodeURIComponent(actor)}`, own);
      assert.equal(byActor.body.items.length, 7, 'the 5 case updates and 2 key creations by the tenant admin');
      const byOperator = await call<AuditPage>('GET', `/audit?actor=${encodeURIComponent(operatorActor)}`, own);
      assert.deepEqual(
        byOperator.body.items.map((e) => e.action),
        ['api_key.created', 'tenant.created'],
      );
      const all = (await call<AuditPage>('GET', '/audit', own)).body.items;
      const middle = all[4]!.at;
      const from = await call<AuditPage>('GET', `/audit?from=${encodeURIComponent(middle)}`, own);
      assert.deepEqual(
        from.body.items.map((e) => e.id),
        all.slice(0, 5).map((e) => e.id),
      );
      const to = await call<AuditPage>('GET', `/audit?to=${encodeURIComponent(middle)}`, own);
      assert.deepEqual(
        to.body.items.map((e) => e.id),
        all.slice(5).map((e) => e.id),
      );
    });

    test('cursor pagination walks every row once', async () => {
      const all = (await call<AuditPage>('GET', '/audit', own)).body.items.map((e) => e.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: AuditPage } = await call<AuditPage>('GET', `/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`, own);
        seen.push(...res.body.items.map((e) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, all);
      const bad = await call<ErrorBody>('GET', '/audit?cursor=nope', own);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.code, 'invalid_cursor');
      const badQuery = await call<ErrorBody>('GET', '/audit?limit=1000', own);
      assert.equal(badQuery.status, 400);
      assert.equal(badQuery.body.error.code, 'invalid_query');
    });

    test("an MSSP operator reads a client tenant's log by naming it", async () => {
      const res = await http<AuditPage>('GET', url('/audit?action=tenant.*'), { key: operator, headers: { 'x-vigil-tenant': tenantSlug } });
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body.items.map((e) => e.action),
        ['tenant.created'],
      );
    });
  });
});
