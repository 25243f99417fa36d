import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApiKeysService } from '../../src/tenants/api-keys.service.js';
import { http, startTestStack, type TestStack } from '../support/stack.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
interface Tenant {
  id: string;
  slug: string;
  name: string;
  status: string;
}
interface Key {
  id: string;
  key?: string;
  tenantId: string;
  name: string;
  role: string;
  prefix: string;
  userId: string | null;
  msspOperator: boolean;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
interface User {
  id: string;
  email: string;
  role: string;
}

async function seedCase(stack: TestStack, tenantId: string, status = 'new'): Promise<string> {
  const id = randomUUID();
  await stack.db.query(
    `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, run_status, workflow_id, last_alert_at)
     VALUES ($1, $2, 'Seeded', $3, 3, $4, 'generic', 0, 'none', $5, now())`,
    [id, tenantId, status, `fp-${id}`, `case-${id}`],
  );
  return id;
}

describe('tenants, users, API keys and the MSSP operator', () => {
  let stack: TestStack;
  /** The provider's bootstrap admin key (tenant `default`), as `npm start` creates it. */
  let operator: string;
  const url = (path: string): string => `${stack.url}/api/v1${path}`;

  before(async () => {
    stack = await startTestStack();
    operator = `vgl_test_${randomBytes(16).toString('hex')}`;
    await stack.api.get(ApiKeysService).ensureAdminKey(operator);
  });
  after(async () => {
    await stack?.stop();
  });

  const newTenant = async (name = `Acme ${randomBytes(3).toString('hex')}`): Promise<Tenant> => {
    const res = await http<Tenant>('POST', url('/tenants'), { key: operator, body: { name } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const newKey = async (tenant: string, role: string, extra: Record<string, unknown> = {}, key = operator): Promise<Key & { key: string }> => {
    const res = await http<Key & { key: string }>('POST', url(`/tenants/${tenant}/api-keys`), { key, body: { name: `${role} key`, role, ...extra } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };

  describe('tenants (MSSP operators only)', () => {
    test('the bootstrap admin key creates a tenant, with a slug derived from its name', async () => {
      const suffix = randomBytes(3).toString('hex');
      const res = await http<Tenant>('POST', url('/tenants'), { key: operator, body: { name: `Globex Corp. ${suffix}` } });
      assert.equal(res.status, 201);
      assert.match(res.body.id, /^[0-9a-f-]{36}$/);
      assert.equal(res.body.slug, `globex-corp-${suffix}`);
      assert.equal(res.body.status, 'active');
      const again = await http<Tenant>('POST', url('/tenants'), { key: operator, body: { name: `Globex Corp. ${suffix}` } });
      assert.equal(again.body.slug, `globex-corp-${suffix}-2`, 'a derived slug that is taken gets a number');
      const list = await http<{ items: Tenant[] }>('GET', url('/tenants'), { key: operator });
      assert.equal(list.status, 200);
      assert.ok(list.body.items.some((t) => t.id === res.body.id));
      assert.ok(list.body.items.some((t) => t.slug === 'default'));
    });

    test('an explicit slug that is taken answers 409; a uuid-shaped slug or unknown field 400', async () => {
      const slug = `ex-${randomBytes(3).toString('hex')}`;
      assert.equal((await http('POST', url('/tenants'), { key: operator, body: { name: 'X', slug } })).status, 201);
      const taken = await http<ErrorBody>('POST', url('/tenants'), { key: operator, body: { name: 'Y', slug } });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, 'conflict');
      assert.equal((await http('POST', url('/tenants'), { key: operator, body: { name: 'Z', slug: randomUUID() } })).status, 400);
      assert.equal((await http('POST', url('/tenants'), { key: operator, body: { name: 'Z', plan: 'gold' } })).status, 400);
    });

    test('a tenant admin (not an MSSP operator) may not create, list, suspend or resume tenants', async () => {
      const t = await stack.createTenant('admin');
      for (const [method, path] of [
        ['POST', '/tenants'],
        ['GET', '/tenants'],
        ['POST', `/tenants/${t.id}/suspend`],
        ['POST', `/tenants/${t.id}/resume`],
      ] as const) {
        const res = await http<ErrorBody>(method, url(path), { key: t.key, body: method === 'POST' ? { name: 'Mine' } : undefined });
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(res.body.error.code, 'forbidden');
      }
    });

    test('an MSSP operator key with a non-admin role may not manage tenants', async () => {
      const analystOperator = await newKey('default', 'analyst', { msspOperator: true });
      const res = await http<ErrorBody>('GET', url('/tenants'), { key: analystOperator.key });
      assert.equal(res.status, 403);
    });

    test("suspending stops the tenant's keys at once; resuming brings them back", async () => {
      const t = await newTenant();
      const k = await newKey(t.id, 'viewer');
      assert.equal((await http('GET', url('/cases'), { key: k.key })).status, 200);
      const suspended = await http<Tenant>('POST', url(`/tenants/${t.id}/suspend`), { key: operator });
      assert.equal(suspended.status, 200);
      assert.equal(suspended.body.status, 'suspended');
      const refused = await http<ErrorBody>('GET', url('/cases'), { key: k.key });
      assert.equal(refused.status, 401, 'the 5 s key cache was invalidated');
      const resumed = await http<Tenant>('POST', url(`/tenants/${t.slug}/resume`), { key: operator });
      assert.equal(resumed.body.status, 'active');
      assert.equal((await http('GET', url('/cases'), { key: k.key })).status, 200);
    });

    test("the provider's own tenant cannot be suspended; an unknown tenant is 404", async () => {
      const res = await http<ErrorBody>('POST', url('/tenants/default/suspend'), { key: operator });
      assert.equal(res.status, 409);
      assert.equal((await http('POST', url(`/tenants/${randomUUID()}/suspend`), { key: operator })).status, 404);
    });
  });

  describe('API keys', () => {
    test('a key is shown once, listed without its value, records its last use, and stops working when revoked', async () => {
      const t = await newTenant();
      const created = await newKey(t.id, 'analyst');
      assert.match(created.key, /^vgl_/);
      assert.equal(created.prefix, created.key.slice(0, 8));
      assert.equal((await http('GET', url('/cases'), { key: created.key })).status, 200);
      const list = await http<{ items: Key[] }>('GET', url(`/tenants/${t.id}/api-keys`), { key: operator });
      assert.equal(list.status, 200);
      const listed = list.body.items.find((k) => k.id === created.id)!;
      assert.equal(listed.role, 'analyst');
      assert.equal('key' in listed, false);
      assert.ok(!JSON.stringify(list.body).includes(created.key), 'the key value never appears in a list');
      // The last use is written beside the request, not before its answer: give it a moment on a busy machine.
      let stored: Array<{ key_hash: string; last_used_at: Date | null }> = [];
      for (let i = 0; i < 40; i += 1) {
        stored = await stack.db.query(`SELECT key_hash, last_used_at FROM api_keys WHERE id = $1`, [created.id]);
        if (stored[0]?.last_used_at) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(stored[0]!.key_hash, /^[0-9a-f]{64}$/);
      assert.ok(stored[0]!.last_used_at, 'last use recorded');
      const revoked = await http('DELETE', url(`/api-keys/${created.id}`), { key: operator });
      assert.equal(revoked.status, 204);
      assert.equal((await http('GET', url('/cases'), { key: created.key })).status, 401);
      const after = await http<{ items: Key[] }>('GET', url(`/tenants/${t.id}/api-keys`), { key: operator });
      assert.ok(after.body.items.find((k) => k.id === created.id)!.revokedAt);
      assert.equal((await http('DELETE', url(`/api-keys/${created.id}`), { key: operator })).status, 204, 'revoking again changes nothing');
    });

    test("a tenant admin manages its own tenant's keys, and never another tenant's", async () => {
      const mine = await stack.createTenant('admin');
      const theirs = await stack.createTenant('admin');
      const k = await newKey(mine.id, 'viewer', {}, mine.key);
      assert.equal(k.tenantId, mine.id);
      assert.equal((await http('GET', url(`/tenants/${mine.id}/api-keys`), { key: mine.key })).status, 200);
      assert.equal((await http('GET', url(`/tenants/${theirs.id}/api-keys`), { key: mine.key })).status, 404);
      assert.equal((await http('POST', url(`/tenants/${theirs.id}/api-keys`), { key: mine.key, body: { name: 'x', role: 'admin' } })).status, 404);
      assert.equal((await http('DELETE', url(`/api-keys/${k.id}`), { key: theirs.key })).status, 404);
      assert.equal((await http('GET', url('/cases'), { key: k.key })).status, 200, 'the failed revoke left the key working');
    });

    test('only an MSSP operator grants the MSSP operator flag, and only on the provider tenant', async () => {
      const t = await stack.createTenant('admin');
      const byAdmin = await http<ErrorBody>('POST', url(`/tenants/${t.id}/api-keys`), { key: t.key, body: { name: 'x', role: 'admin', msspOperator: true } });
      assert.equal(byAdmin.status, 403);
      const elsewhere = await http<ErrorBody>('POST', url(`/tenants/${t.id}/api-keys`), { key: operator, body: { name: 'x', role: 'admin', msspOperator: true } });
      assert.equal(elsewhere.status, 400);
      const ok = await newKey('default', 'admin', { msspOperator: true });
      assert.equal(ok.msspOperator, true);
      assert.equal((await http('GET', url('/tenants'), { key: ok.key })).status, 200);
    });

    describe('operator power comes only from an operator', () => {
      // A provider-tenant admin who is not an operator, and an operator user, both made by the bootstrap operator.
      const setUp = async (): Promise<{ admin: Key & { key: string }; operatorUser: User }> => {
        const admin = await newKey('default', 'admin');
        assert.equal(admin.msspOperator, false);
        const made = await http<User>('POST', url('/tenants/default/users'), {
          key: operator,
          body: { email: `op-${randomBytes(4).toString('hex')}@provider.example`, name: 'Op', role: 'admin', msspOperator: true },
        });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        return { admin, operatorUser: made.body };
      };

      test('a non-operator admin cannot mint a key acting as an operator user, so gets no operator power', async () => {
        const { admin, operatorUser } = await setUp();
        const minted = await http<ErrorBody>('POST', url('/tenants/default/api-keys'), { key: admin.key, body: { name: 'mine now', role: 'admin', userId: operatorUser.id } });
        assert.equal(minted.status, 403, JSON.stringify(minted.body));
        assert.equal(minted.body.error.code, 'forbidden');
        const t = await newTenant();
        assert.equal((await http('GET', url(`/tenants/${t.id}/api-keys`), { key: admin.key })).status, 404, 'the admin still sees only its own tenant');
      });

      test("an operator user's key is an operator only when an operator grants the flag on the key itself", async () => {
        const { operatorUser } = await setUp();
        const plain = await newKey('default', 'admin', { userId: operatorUser.id });
        assert.equal(plain.msspOperator, false);
        assert.equal((await http('GET', url('/tenants'), { key: plain.key })).status, 403, 'listed as not an operator, and acts as none');
        const flagged = await newKey('default', 'admin', { userId: operatorUser.id, msspOperator: true });
        assert.equal(flagged.msspOperator, true);
        assert.equal((await http('GET', url('/tenants'), { key: flagged.key })).status, 200);
        const listed = await http<{ items: Key[] }>('GET', url('/tenants/default/api-keys'), { key: operator });
        assert.equal(listed.body.items.find((k) => k.id === plain.id)?.msspOperator, false);
        assert.equal(listed.body.items.find((k) => k.id === flagged.id)?.msspOperator, true);
      });

      test('an operator key for a user who is not an operator is refused', async () => {
        const user = await http<User>('POST', url('/tenants/default/users'), {
          key: operator,
          body: { email: `plain-${randomBytes(4).toString('hex')}@provider.example`, name: 'Plain', role: 'admin' },
        });
        const res = await http<ErrorBody>('POST', url('/tenants/default/api-keys'), {
          key: operator,
          body: { name: 'x', role: 'admin', userId: user.body.id, msspOperator: true },
        });
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, 'invalid_body');
      });

      test("a non-operator admin may not revoke operators' keys or remove operator users", async () => {
        const { admin, operatorUser } = await setUp();
        const operatorKey = await newKey('default', 'admin', { msspOperator: true });
        const usersKey = await newKey('default', 'admin', { userId: operatorUser.id });
        for (const id of [operatorKey.id, usersKey.id]) {
          const res = await http<ErrorBody>('DELETE', url(`/api-keys/${id}`), { key: admin.key });
          assert.equal(res.status, 403, id);
          assert.equal(res.body.error.code, 'forbidden');
        }
        const removal = await http<ErrorBody>('DELETE', url(`/users/${operatorUser.id}`), { key: admin.key });
        assert.equal(removal.status, 403);
        assert.equal((await http('GET', url('/tenants'), { key: operatorKey.key })).status, 200, 'the operator key still works');
        // An operator may.
        assert.equal((await http('DELETE', url(`/api-keys/${usersKey.id}`), { key: operator })).status, 204);
        assert.equal((await http('DELETE', url(`/users/${operatorUser.id}`), { key: operator })).status, 204);
      });
    });

    test('bad key bodies answer 400', async () => {
      const t = await newTenant();
      for (const body of [{ name: 'x', role: 'root' }, { name: '', role: 'admin' }, { role: 'admin' }, { name: 'x', role: 'admin', scopes: [] }]) {
        const res = await http<ErrorBody>('POST', url(`/tenants/${t.id}/api-keys`), { key: operator, body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.code, 'invalid_body');
      }
    });
  });

  describe('users', () => {
    test("a user's key acts as the user: timeline and audit name user:<id>", async () => {
      const t = await newTenant();
      const user = await http<User>('POST', url(`/tenants/${t.id}/users`), { key: operator, body: { email: 'ana@acme.example', name: 'Ana', role: 'analyst' } });
      assert.equal(user.status, 201);
      const k = await newKey(t.id, 'analyst', { userId: user.body.id });
      assert.equal(k.userId, user.body.id);
      const caseId = await seedCase(stack, t.id);
      const patched = await http('PATCH', url(`/cases/${caseId}`), { key: k.key, body: { status: 'triaged' } });
      assert.equal(patched.status, 200);
      const events: Array<{ actor: string }> = await stack.db.query(`SELECT actor FROM case_events WHERE case_id = $1`, [caseId]);
      assert.deepEqual(
        events.map((e) => e.actor),
        [`user:${user.body.id}`],
      );
      const audit: Array<{ actor: string }> = await stack.db.query(`SELECT actor FROM audit_log WHERE tenant_id = $1 AND action = 'case.updated'`, [t.id]);
      assert.deepEqual(
        audit.map((a) => a.actor),
        [`user:${user.body.id}`],
      );
    });

    test('users are listed; a duplicate e-mail is 409; removing a user revokes their keys', async () => {
      const t = await newTenant();
      const u = await http<User>('POST', url(`/tenants/${t.id}/users`), { key: operator, body: { email: 'bo@acme.example', name: 'Bo', role: 'viewer' } });
      const dup = await http<ErrorBody>('POST', url(`/tenants/${t.id}/users`), { key: operator, body: { email: 'BO@acme.example', name: 'Bo 2', role: 'viewer' } });
      assert.equal(dup.status, 409);
      const list = await http<{ items: User[] }>('GET', url(`/tenants/${t.id}/users`), { key: operator });
      assert.deepEqual(
        list.body.items.map((x) => x.email),
        ['bo@acme.example'],
      );
      const k = await newKey(t.id, 'viewer', { userId: u.body.id });
      assert.equal((await http('GET', url('/cases'), { key: k.key })).status, 200);
      assert.equal((await http('DELETE', url(`/users/${u.body.id}`), { key: operator })).status, 204);
      assert.equal((await http('GET', url('/cases'), { key: k.key })).status, 401);
      const after = await http<{ items: User[] }>('GET', url(`/tenants/${t.id}/users`), { key: operator });
      assert.deepEqual(after.body.items, []);
      assert.equal((await http('DELETE', url(`/users/${u.body.id}`), { key: operator })).status, 404);
      const again = await http<User>('POST', url(`/tenants/${t.id}/users`), { key: operator, body: { email: 'bo@acme.example', name: 'Bo', role: 'viewer' } });
      assert.equal(again.status, 201, 'the e-mail is free again once the user was removed');
    });

    test("a user's key holds the user's role", async () => {
      const t = await newTenant();
      const u = await http<User>('POST', url(`/tenants/${t.id}/users`), { key: operator, body: { email: 'v@t.example', name: 'V', role: 'viewer' } });
      const res = await http<ErrorBody>('POST', url(`/tenants/${t.id}/api-keys`), { key: operator, body: { name: 'x', role: 'admin', userId: u.body.id } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.details['userRole'], 'viewer');
    });

    test("a key may not belong to another tenant's user", async () => {
      const a = await newTenant();
      const b = await newTenant();
      const u = await http<User>('POST', url(`/tenants/${b.id}/users`), { key: operator, body: { email: 'x@b.example', name: 'X', role: 'viewer' } });
      const res = await http<ErrorBody>('POST', url(`/tenants/${a.id}/api-keys`), { key: operator, body: { name: 'x', role: 'viewer', userId: u.body.id } });
      assert.equal(res.status, 404);
    });
  });

  describe('X-Vigil-Tenant', () => {
    test('an MSSP operator acts on another tenant by naming it (slug or id); others may not', async () => {
      const t = await newTenant();
      const caseId = await seedCase(stack, t.id);
      assert.equal((await http('GET', url(`/cases/${caseId}`), { key: operator })).status, 404, 'without the header the operator sees its own tenant');
      for (const name of [t.slug, t.id]) {
        const res = await http<{ id: string }>('GET', url(`/cases/${caseId}`), { key: operator, headers: { 'x-vigil-tenant': name } });
        assert.equal(res.status, 200);
        assert.equal(res.body.id, caseId);
      }
      const patched = await http('PATCH', url(`/cases/${caseId}`), { key: operator, headers: { 'x-vigil-tenant': t.slug }, body: { status: 'triaged' } });
      assert.equal(patched.status, 200);
      const audit: Array<{ tenant_id: string; details: Record<string, unknown> }> = await stack.db.query(`SELECT tenant_id, details FROM audit_log WHERE target = $1`, [
        `case:${caseId}`,
      ]);
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.tenant_id, t.id, "recorded in the client tenant's audit log");

      const other = await stack.createTenant('admin');
      const refused = await http<ErrorBody>('GET', url(`/cases/${caseId}`), { key: other.key, headers: { 'x-vigil-tenant': t.slug } });
      assert.equal(refused.status, 403);
      const own = await http('GET', url('/cases'), { key: other.key, headers: { 'x-vigil-tenant': other.slug } });
      assert.equal(own.status, 200, 'naming your own tenant is fine');
      const unknown = await http<ErrorBody>('GET', url('/cases'), { key: operator, headers: { 'x-vigil-tenant': 'no-such-tenant' } });
      assert.equal(unknown.status, 404);
    });
  });

  describe("tenant isolation: another tenant's objects answer 404", () => {
    test("every object endpoint, tried with another tenant's admin key", async () => {
      const owner = await stack.createTenant('admin');
      const intruder = await stack.createTenant('admin');
      const caseId = await seedCase(stack, owner.id);
      const ownCase = await seedCase(stack, intruder.id);
      const task = await http<{ id: string }>('POST', url(`/cases/${caseId}/tasks`), { key: owner.key, body: { title: 't' } });
      const key = await newKey(owner.id, 'viewer', {}, owner.key);
      const user = await http<User>('POST', url(`/tenants/${owner.id}/users`), { key: owner.key, body: { email: 'u@owner.example', name: 'U', role: 'viewer' } });
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', `/cases/${caseId}`],
        ['PATCH', `/cases/${caseId}`, { status: 'triaged' }],
        ['GET', `/cases/${caseId}/comments`],
        ['POST', `/cases/${caseId}/comments`, { body: 'x' }],
        ['GET', `/cases/${caseId}/tasks`],
        ['POST', `/cases/${caseId}/tasks`, { title: 'x' }],
        ['PATCH', `/cases/${caseId}/tasks/${task.body.id}`, { done: true }],
        ['PATCH', `/cases/${ownCase}/tasks/${task.body.id}`, { done: true }],
        ['POST', `/cases/${caseId}/merge`, { into: ownCase }],
        ['POST', `/cases/${ownCase}/merge`, { into: caseId }],
        ['POST', `/cases/${caseId}/revert`, {}],
        ['GET', `/tenants/${owner.id}/api-keys`],
        ['POST', `/tenants/${owner.id}/api-keys`, { name: 'x', role: 'admin' }],
        ['DELETE', `/api-keys/${key.id}`],
        ['GET', `/tenants/${owner.slug}/users`],
        ['POST', `/tenants/${owner.id}/users`, { email: 'i@x.example', name: 'I', role: 'admin' }],
        ['DELETE', `/users/${user.body.id}`],
      ];
      for (const [method, path, body] of attempts) {
        const res = await http<ErrorBody>(method, url(path), { key: intruder.key, body });
        assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.error.code, 'not_found');
      }
      const list = await http<{ items: Array<{ id: string }> }>('GET', url('/cases?limit=200'), { key: intruder.key });
      assert.deepEqual(
        list.body.items.map((c) => c.id),
        [ownCase],
      );
      const audit = await http<{ items: Array<{ target: string }> }>('GET', url('/audit?limit=200'), { key: intruder.key });
      assert.equal(audit.status, 200);
      assert.ok(
        audit.body.items.every((e) => !e.target.includes(caseId) && !e.target.includes(key.id)),
        'no audit line of the other tenant',
      );
      const untouched: Array<{ status: string }> = await stack.db.query(`SELECT status FROM cases WHERE id = $1`, [caseId]);
      assert.equal(untouched[0]!.status, 'new');
      assert.equal((await http('GET', url('/cases'), { key: key.key })).status, 200, 'the key survived the attempt to revoke it');
    });
  });

  describe('roles on the access endpoints', () => {
    for (const role of ['analyst', 'author', 'viewer', 'ingest']) {
      test(`${role} may not manage keys or users, nor read the audit log (403)`, async () => {
        const t = await stack.createTenant('admin');
        const k = await stack.createKey(t.id, role);
        const checks: Array<[string, string, unknown?]> = [
          ['GET', `/tenants/${t.id}/api-keys`],
          ['POST', `/tenants/${t.id}/api-keys`, { name: 'x', role: 'viewer' }],
          ['GET', `/tenants/${t.id}/users`],
          ['POST', `/tenants/${t.id}/users`, { email: 'a@b.example', name: 'A', role: 'viewer' }],
          ['DELETE', `/api-keys/${randomUUID()}`],
          ['DELETE', `/users/${randomUUID()}`],
          ['GET', '/audit'],
          ['GET', '/tenants'],
        ];
        for (const [method, path, body] of checks) {
          const res = await http<ErrorBody>(method, url(path), { key: k, body });
          assert.equal(res.status, 403, `${role} ${method} ${path}`);
        }
      });
    }
  });
});
