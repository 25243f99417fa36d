import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SlaService } from '../../src/sla/index.js';
import { ApiKeysService } from '../../src/tenants/api-keys.service.js';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface ErrorBody {
  error: { code: string; message: string; details: { issues?: Array<{ path: string; message: string }> } & Record<string, unknown> };
}
interface Row {
  id: string;
  scope: 'tenant' | 'mssp';
  name: string;
  [k: string]: unknown;
}

const CALENDAR = { name: 'Office', kind: 'business_hours', timeZone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }] }, holidays: ['2026-12-25'] };
const POLICY = { name: 'Critical', severity: 'critical', timeToAcknowledge: 'PT15M', timeToContain: 'PT1H', timeToResolve: 'P1DT2H' };

describe('SLA, on-call and escalation API (e2e over HTTP)', () => {
  let stack: TestStack;
  let a: TestTenant;
  let b: TestTenant;
  let operator: string;
  let providerAdmin: string;
  let providerId: string;
  let aUsers: string[];
  let bUser: string;
  let providerUser: string;

  const call = <T = Row>(method: string, path: string, key: string, body?: unknown, headers?: Record<string, string>) =>
    http<T>(method, `${stack.url}/api/v1${path}`, { key, body, headers });
  const issuePaths = (body: unknown): string[] => ((body as ErrorBody).error.details.issues ?? []).map((i) => i.path);
  async function user(tenantId: string, label: string): Promise<string> {
    const rows: Array<{ id: string }> = await stack.db.query(`INSERT INTO users (tenant_id, email, name, role) VALUES ($1, $2, $3, 'analyst') RETURNING id`, [
      tenantId,
      `${label}-${randomBytes(3).toString('hex')}@example.com`,
      label,
    ]);
    return rows[0]!.id;
  }
  const count = async (table: string, tenantId: string): Promise<number> =>
    Number(((await stack.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId])) as Array<{ n: number }>)[0]!.n);

  before(async () => {
    stack = await startTestStack();
    operator = `vgl_test_${randomBytes(16).toString('hex')}`;
    providerId = (await stack.api.get(ApiKeysService).ensureAdminKey(operator)).tenantId;
    providerAdmin = await stack.createKey(providerId, 'admin');
    // MSSP-wide rows live on the provider tenant, which test runs share: start from none.
    for (const table of ['sla_policies', 'escalation_policies', 'oncall_rotas', 'sla_calendars']) await stack.db.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [providerId]);
    a = await stack.createTenant();
    b = await stack.createTenant();
    aUsers = [await user(a.id, 'ana'), await user(a.id, 'ben')];
    bUser = await user(b.id, 'bob');
    providerUser = await user(providerId, 'soc-lead');
  });
  after(async () => {
    await stack?.stop();
  });

  test('calendars: create, read, list, replace, delete, each audited', async () => {
    const created = await call('POST', '/sla/calendars', a.key, CALENDAR);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.scope, 'tenant');
    assert.deepEqual(created.body['holidays'], ['2026-12-25']);
    const id = created.body.id;
    assert.equal((await call('GET', `/sla/calendars/${id}`, a.key)).body.name, 'Office');
    const list = await call<{ items: Row[] }>('GET', '/sla/calendars', a.key);
    assert.deepEqual(
      list.body.items.map((r) => r.id),
      [id],
    );
    const replaced = await call('PUT', `/sla/calendars/${id}`, a.key, { ...CALENDAR, name: 'Office v2', kind: '24x7' });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
    assert.equal(replaced.body['kind'], '24x7');
    assert.equal((await call('POST', '/sla/calendars', a.key, { ...CALENDAR, name: 'Office v2' })).status, 409);
    assert.equal((await call('DELETE', `/sla/calendars/${id}`, a.key)).status, 204);
    assert.equal((await call('GET', `/sla/calendars/${id}`, a.key)).status, 404);
    const audit: Array<{ action: string }> = await stack.db.query(`SELECT action FROM audit_log WHERE tenant_id = $1 AND target = $2 ORDER BY id`, [a.id, `sla_calendar:${id}`]);
    assert.deepEqual(
      audit.map((r) => r.action),
      ['sla_calendar.created', 'sla_calendar.replaced', 'sla_calendar.deleted'],
    );
  });

  test('policies: durations come back in canonical form, defaults filled in, one per severity', async () => {
    const created = await call('POST', '/sla/policies', a.key, { ...POLICY, timeToAcknowledge: 'PT900S' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body['timeToAcknowledge'], 'PT15M');
    assert.equal(created.body['timeToResolve'], 'P1DT2H');
    assert.equal(created.body['clockStart'], 'detected');
    assert.equal(created.body['pauseOnHold'], true);
    assert.deepEqual(created.body['thresholds'], [50, 80, 100]);
    assert.equal(created.body['severityId'], 5);
    const dup = await call<ErrorBody>('POST', '/sla/policies', a.key, { ...POLICY, name: 'Critical again' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.details['field'], 'severity');
    const put = await call('PUT', `/sla/policies/${created.body.id}`, a.key, { ...POLICY, clockStart: 'received', pauseOnHold: false, thresholds: [100, 75] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual([put.body['clockStart'], put.body['pauseOnHold'], put.body['thresholds']], ['received', false, [75, 100]]);
    assert.equal((await call('DELETE', `/sla/policies/${created.body.id}`, a.key)).status, 204);
  });

  test('bad input answers 400 naming the field, and saves nothing', async () => {
    const before = await Promise.all(['sla_calendars', 'sla_policies', 'oncall_rotas', 'escalation_policies'].map((t) => count(t, a.id)));
    const cases: Array<[string, string, unknown, string]> = [
      ['/sla/calendars', 'unknown time zone', { ...CALENDAR, timeZone: 'Mars/Olympus' }, 'timeZone'],
      ['/sla/calendars', 'holidays that are not dates', { ...CALENDAR, holidays: ['2026-12-25', 'christmas'] }, 'holidays.1'],
      ['/sla/calendars', 'an impossible date', { ...CALENDAR, holidays: ['2026-02-30'] }, 'holidays.0'],
      ['/sla/calendars', 'hours ending before they start', { ...CALENDAR, hours: { mon: [{ start: '17:00', end: '09:00' }] } }, 'hours.mon.0.end'],
      ['/sla/policies', 'threshold 0', { ...POLICY, thresholds: [0, 50] }, 'thresholds.0'],
      ['/sla/policies', 'threshold above 100', { ...POLICY, thresholds: [50, 101] }, 'thresholds.1'],
      ['/sla/policies', 'zero duration', { ...POLICY, timeToAcknowledge: 'PT0S' }, 'timeToAcknowledge'],
      ['/sla/policies', 'negative duration', { ...POLICY, timeToContain: '-PT5M' }, 'timeToContain'],
      ['/sla/policies', 'not a duration', { ...POLICY, timeToResolve: 'soon' }, 'timeToResolve'],
      ['/sla/policies', 'months', { ...POLICY, timeToResolve: 'P1M' }, 'timeToResolve'],
      ['/sla/policies', "another tenant's calendar", { ...POLICY, calendarId: '00000000-0000-4000-8000-000000000000' }, 'calendarId'],
      [
        '/oncall/rotas',
        'unknown time zone',
        { name: 'r', timeZone: 'Nowhere/Land', layers: [{ members: aUsers, rotation: 'daily', handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }] },
        'timeZone',
      ],
      [
        '/oncall/rotas',
        'no members',
        { name: 'r', timeZone: 'UTC', layers: [{ members: [], rotation: 'daily', handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }] },
        'layers.0.members',
      ],
      ['/oncall/rotas', 'no layers', { name: 'r', timeZone: 'UTC', layers: [] }, 'layers'],
      [
        '/oncall/rotas',
        'a member of another tenant',
        { name: 'r', timeZone: 'UTC', layers: [{ members: [aUsers[0], bUser], rotation: 'daily', handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }] },
        'layers.0.members.1',
      ],
      [
        '/oncall/rotas',
        'an override by a stranger',
        {
          name: 'r',
          timeZone: 'UTC',
          layers: [{ members: aUsers, rotation: 'daily', handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }],
          overrides: [{ from: '2026-03-03T00:00:00Z', to: '2026-03-04T00:00:00Z', userId: providerUser }],
        },
        'overrides.0.userId',
      ],
      [
        '/oncall/rotas',
        'hourly without hours',
        { name: 'r', timeZone: 'UTC', layers: [{ members: aUsers, rotation: 'hours', handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }] },
        'layers.0.everyHours',
      ],
      ['/escalation-policies', 'zero delay', { name: 'e', levels: [{ users: [aUsers[0]], delay: 'PT0S' }] }, 'levels.0.delay'],
      ['/escalation-policies', 'a level paging nobody', { name: 'e', levels: [{ delay: 'PT5M' }] }, 'levels.0.rotas'],
      ['/escalation-policies', 'a user of another tenant', { name: 'e', levels: [{ users: [bUser], delay: 'PT5M' }] }, 'levels.0.users.0'],
      ['/escalation-policies', 'an unknown channel', { name: 'e', levels: [{ users: [aUsers[0]], channels: ['sms.send'], delay: 'PT5M' }] }, 'levels.0.channels.0'],
    ];
    for (const [path, what, body, field] of cases) {
      const res = await call<ErrorBody>('POST', path, a.key, body);
      assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error.code, 'invalid_body', what);
      assert.ok(issuePaths(res.body).includes(field), `${what}: expected ${field} in ${JSON.stringify(issuePaths(res.body))}`);
    }
    // A replace with bad input leaves the row as it was.
    const cal = await call('POST', '/sla/calendars', a.key, { ...CALENDAR, name: 'Kept' });
    assert.equal((await call('PUT', `/sla/calendars/${cal.body.id}`, a.key, { ...CALENDAR, name: 'Broken', timeZone: 'Bad/Zone' })).status, 400);
    assert.equal((await call('GET', `/sla/calendars/${cal.body.id}`, a.key)).body.name, 'Kept');
    assert.equal((await call('DELETE', `/sla/calendars/${cal.body.id}`, a.key)).status, 204);
    const afterCounts = await Promise.all(['sla_calendars', 'sla_policies', 'oncall_rotas', 'escalation_policies'].map((t) => count(t, a.id)));
    assert.deepEqual(afterCounts, before);
    const audit: Array<{ n: number }> = await stack.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE tenant_id = $1 AND action LIKE '%.created' AND details->>'name' IN ('r', 'e')`,
      [a.id],
    );
    assert.equal(audit[0]!.n, 0);
  });

  test('tenant isolation: another tenant neither sees nor changes nor references a row', async () => {
    const cal = await call('POST', '/sla/calendars', a.key, { ...CALENDAR, name: 'A only' });
    assert.equal((await call('GET', `/sla/calendars/${cal.body.id}`, b.key)).status, 404);
    assert.equal((await call('PUT', `/sla/calendars/${cal.body.id}`, b.key, CALENDAR)).status, 404);
    assert.equal((await call('DELETE', `/sla/calendars/${cal.body.id}`, b.key)).status, 404);
    const listed = await call<{ items: Row[] }>('GET', '/sla/calendars', b.key);
    assert.ok(!listed.body.items.some((r) => r.id === cal.body.id));
    const ref = await call<ErrorBody>('POST', '/sla/policies', b.key, { ...POLICY, calendarId: cal.body.id });
    assert.equal(ref.status, 400);
    assert.deepEqual(issuePaths(ref.body), ['calendarId']);
    // A non-operator may not name another tenant.
    assert.equal((await call('GET', '/sla/calendars', b.key, undefined, { 'x-vigil-tenant': a.slug })).status, 403);
    assert.equal((await call('DELETE', `/sla/calendars/${cal.body.id}`, a.key)).status, 204);
  });

  test('roles: read roles read, only admins write', async () => {
    const viewer = await stack.createKey(a.id, 'viewer');
    const analyst = await stack.createKey(a.id, 'analyst');
    assert.equal((await call('GET', '/sla/policies', viewer)).status, 200);
    assert.equal((await call('GET', '/oncall/now', analyst)).status, 200);
    assert.equal((await call('POST', '/sla/calendars', viewer, CALENDAR)).status, 403);
    assert.equal((await call('POST', '/sla/calendars', analyst, CALENDAR)).status, 403);
    const ingest = await stack.createKey(a.id, 'ingest');
    assert.equal((await call('GET', '/sla/policies', ingest)).status, 403);
  });

  test('MSSP-wide rows: operators write them on the provider tenant, tenants read and reference them', async () => {
    const mspCal = await call('POST', '/sla/calendars', operator, { ...CALENDAR, name: 'SOC 24/7', kind: '24x7', hours: {}, holidays: [] });
    assert.equal(mspCal.status, 201, JSON.stringify(mspCal.body));
    assert.equal(mspCal.body.scope, 'mssp');
    assert.equal((await call('POST', '/sla/calendars', providerAdmin, { ...CALENDAR, name: 'Not an operator' })).status, 403);
    const mspPolicy = await call('POST', '/sla/policies', operator, { ...POLICY, name: 'MSSP critical', calendarId: mspCal.body.id });
    assert.equal(mspPolicy.status, 201, JSON.stringify(mspPolicy.body));
    // A client tenant sees its own rows first, then the MSSP-wide ones.
    const own = await call('POST', '/sla/policies', a.key, { ...POLICY, severity: 'high', name: 'A high', calendarId: mspCal.body.id });
    assert.equal(own.status, 201, JSON.stringify(own.body));
    const list = await call<{ items: Row[] }>('GET', '/sla/policies', a.key);
    assert.deepEqual(
      list.body.items.map((r) => [r.name, r.scope]),
      [
        ['A high', 'tenant'],
        ['MSSP critical', 'mssp'],
      ],
    );
    assert.equal((await call('GET', `/sla/policies/${mspPolicy.body.id}`, b.key)).body.scope, 'mssp');
    // Read-only to client tenants.
    const put = await call<ErrorBody>('PUT', `/sla/policies/${mspPolicy.body.id}`, a.key, POLICY);
    assert.equal(put.status, 403);
    assert.equal((await call('DELETE', `/sla/calendars/${mspCal.body.id}`, a.key)).status, 403);
    // In use by a client's policy: the operator cannot delete it until that goes.
    const inUse = await call<ErrorBody>('DELETE', `/sla/calendars/${mspCal.body.id}`, operator);
    assert.equal(inUse.status, 409);
    assert.deepEqual([...(inUse.body.error.details['usedBy'] as string[])].sort(), [mspPolicy.body.id, own.body.id].sort());
    // An operator acting on tenant A (X-Vigil-Tenant) writes A's own rows.
    const forA = await call('POST', '/sla/policies', operator, { ...POLICY, severity: 'low', name: 'A low' }, { 'x-vigil-tenant': a.slug });
    assert.equal(forA.status, 201, JSON.stringify(forA.body));
    assert.equal(forA.body.scope, 'tenant');
    assert.equal((await call('GET', `/sla/policies/${forA.body.id}`, a.key)).status, 200);
    const audit: Array<{ details: Record<string, unknown> }> = await stack.db.query(`SELECT details FROM audit_log WHERE tenant_id = $1 AND target = $2`, [
      a.id,
      `sla_policy:${forA.body.id}`,
    ]);
    assert.equal(audit[0]!.details['operatorTenantId'], providerId);
    for (const id of [own.body.id, forA.body.id]) assert.equal((await call('DELETE', `/sla/policies/${id}`, a.key)).status, 204);
    assert.equal((await call('DELETE', `/sla/policies/${mspPolicy.body.id}`, operator)).status, 204);
    assert.equal((await call('DELETE', `/sla/calendars/${mspCal.body.id}`, operator)).status, 204);
  });

  test('rotas and escalation policies: references resolve, and a rota in use cannot go', async () => {
    const rota = await call('POST', '/oncall/rotas', a.key, {
      name: 'A primary',
      timeZone: 'Europe/Berlin',
      layers: [{ members: aUsers, rotation: 'weekly', handoffDay: 'mon', handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }],
    });
    assert.equal(rota.status, 201, JSON.stringify(rota.body));
    const mspRota = await call('POST', '/oncall/rotas', operator, {
      name: 'SOC',
      timeZone: 'UTC',
      layers: [{ members: [providerUser], rotation: 'daily', handoffTime: '00:00', startsAt: '2026-03-02T00:00:00Z' }],
    });
    assert.equal(mspRota.status, 201, JSON.stringify(mspRota.body));
    const bRota = await call('POST', '/oncall/rotas', b.key, {
      name: 'B primary',
      timeZone: 'UTC',
      layers: [{ members: [bUser], rotation: 'daily', handoffTime: '00:00', startsAt: '2026-03-02T00:00:00Z' }],
    });
    const esc = await call('POST', '/escalation-policies', a.key, {
      name: 'A paging',
      levels: [
        { rotas: [rota.body.id], channels: ['slack.post_message'], delay: 'PT10M' },
        { rotas: [mspRota.body.id], users: [providerUser, aUsers[1]], channels: ['pagerduty.trigger', 'email.send'], delay: 'PT20M' },
      ],
    });
    assert.equal(esc.status, 201, JSON.stringify(esc.body));
    assert.deepEqual(
      (esc.body['levels'] as Array<{ delay: string; channels: string[] }>).map((l) => [l.delay, l.channels]),
      [
        ['PT10M', ['slack.post_message']],
        ['PT20M', ['pagerduty.trigger', 'email.send']],
      ],
    );
    const foreign = await call<ErrorBody>('POST', '/escalation-policies', a.key, { name: 'bad', levels: [{ rotas: [bRota.body.id], delay: 'PT5M' }] });
    assert.equal(foreign.status, 400);
    assert.deepEqual(issuePaths(foreign.body), ['levels.0.rotas.0']);
    // A removed user is no longer a member candidate.
    const gone = await user(a.id, 'gone');
    await stack.db.query(`UPDATE users SET removed_at = now() WHERE id = $1`, [gone]);
    const removed = await call<ErrorBody>('PUT', `/oncall/rotas/${rota.body.id}`, a.key, {
      name: 'A primary',
      timeZone: 'Europe/Berlin',
      layers: [{ members: [aUsers[0], gone], rotation: 'daily', handoffTime: '09:00', startsAt: '2026-03-02T08:00:00Z' }],
    });
    assert.equal(removed.status, 400);
    assert.deepEqual(issuePaths(removed.body), ['layers.0.members.1']);
    assert.equal(((await call('GET', `/oncall/rotas/${rota.body.id}`, a.key)).body['layers'] as Array<{ rotation: string }>)[0]!.rotation, 'weekly');
    const policy = await call('POST', '/sla/policies', a.key, { ...POLICY, escalationPolicyId: esc.body.id });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    assert.equal((await call('DELETE', `/oncall/rotas/${rota.body.id}`, a.key)).status, 409);
    assert.equal((await call('DELETE', `/escalation-policies/${esc.body.id}`, a.key)).status, 409);
    assert.equal((await call('DELETE', `/sla/policies/${policy.body.id}`, a.key)).status, 204);
    assert.equal((await call('DELETE', `/escalation-policies/${esc.body.id}`, a.key)).status, 204);
    assert.equal((await call('DELETE', `/oncall/rotas/${rota.body.id}`, a.key)).status, 204);
    assert.equal((await call('DELETE', `/oncall/rotas/${mspRota.body.id}`, operator)).status, 204);
  });

  test('oncall/now answers the right person around a handoff, an override, and for all rotas', async () => {
    const [ana, ben] = aUsers as [string, string];
    const created = await call('POST', '/oncall/rotas', a.key, {
      name: 'Nights',
      timeZone: 'Europe/Berlin',
      layers: [{ members: [ana, ben], rotation: 'daily', handoffTime: '09:00', startsAt: '2026-03-27T08:00:00Z' }],
      overrides: [{ from: '2026-03-30T10:00:00Z', to: '2026-03-30T11:00:00Z', userId: ana, replaces: ben }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    interface Now {
      at: string;
      items: Array<{ rotaId: string; user: { id: string; email: string | null } | null; shiftStartsAt: string | null; shiftEndsAt: string | null; override: unknown }>;
    }
    const now = (at: string) => call<Now>('GET', `/oncall/now?rota=${created.body.id}&at=${encodeURIComponent(at)}`, a.key);
    // Sunday 29 March springs forward: ben's Saturday turn ends at 09:00 CEST (07:00Z), 23 hours after it began.
    const lastSecond = await now('2026-03-29T06:59:59Z');
    assert.equal(lastSecond.status, 200, JSON.stringify(lastSecond.body));
    assert.equal(lastSecond.body.items[0]!.user!.id, ben);
    assert.match(lastSecond.body.items[0]!.user!.email ?? '', /^ben-/);
    assert.equal(lastSecond.body.items[0]!.shiftEndsAt, '2026-03-29T07:00:00.000Z');
    assert.equal((await now('2026-03-29T07:00:00Z')).body.items[0]!.user!.id, ana);
    assert.equal((await now('2026-03-29T07:00:00+00:00')).body.items[0]!.shiftStartsAt, '2026-03-29T07:00:00.000Z');
    // Monday 30 March is ben's turn; ana stands in for him for an hour.
    assert.equal((await now('2026-03-30T09:59:59Z')).body.items[0]!.user!.id, ben);
    const overridden = await now('2026-03-30T10:30:00Z');
    assert.equal(overridden.body.items[0]!.user!.id, ana);
    assert.ok(overridden.body.items[0]!.override);
    assert.equal((await now('2026-03-27T07:00:00Z')).body.items[0]!.user, null);
    // All of the tenant's own rotas, at the current instant by default.
    const all = await call<Now>('GET', '/oncall/now', a.key);
    assert.equal(all.status, 200);
    assert.ok(all.body.items.some((i) => i.rotaId === created.body.id));
    assert.ok(Math.abs(Date.parse(all.body.at) - Date.now()) < 60_000);
    // Another tenant sees nothing of it; bad input is refused.
    assert.equal((await call('GET', `/oncall/now?rota=${created.body.id}`, b.key)).status, 404);
    const bad = await call<ErrorBody>('GET', `/oncall/now?at=yesterday`, a.key);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_query');
    assert.equal((await call('DELETE', `/oncall/rotas/${created.body.id}`, a.key)).status, 204);
  });

  test('planCase and planEscalation: the stored policy, calendar and rotas give the clocks and the pages', async () => {
    const sla = stack.api.get(SlaService);
    const [ana, ben] = aUsers as [string, string];
    const cal = await call('POST', '/sla/calendars', a.key, {
      name: 'Berlin office',
      kind: 'business_hours',
      timeZone: 'Europe/Berlin',
      hours: { mon: [{ start: '09:00', end: '17:00' }] },
    });
    const rota = await call('POST', '/oncall/rotas', a.key, {
      name: 'Pager',
      timeZone: 'UTC',
      layers: [{ members: [ana, ben], rotation: 'hours', everyHours: 1, handoffTime: '00:00', startsAt: '2026-03-09T00:00:00Z' }],
    });
    const esc = await call('POST', '/escalation-policies', a.key, {
      name: 'Pager first',
      levels: [
        { rotas: [rota.body.id], delay: 'PT30M' },
        { users: [providerUser], delay: 'PT30M' },
      ],
    });
    const own = await call('POST', '/sla/policies', a.key, { ...POLICY, calendarId: cal.body.id, escalationPolicyId: esc.body.id });
    const msp = await call('POST', '/sla/policies', operator, { ...POLICY, name: 'MSSP medium', severity: 'medium', timeToAcknowledge: 'PT1H' });
    assert.deepEqual([cal.status, rota.status, esc.status, own.status, msp.status], [201, 201, 201, 201, 201]);
    const facts = (severityId: number) => ({
      alerts: [{ detectedAt: new Date('2026-03-09T15:50:00Z'), receivedAt: new Date('2026-03-09T15:51:00Z') }], // Monday 16:50 CET
      severityChanges: [{ at: new Date('2026-03-09T15:51:00Z'), severityId }],
      statusChanges: [],
      firstAnalystActionAt: null,
      containedAt: null,
      resolvedAt: null,
    });
    const critical = await sla.planCase(a.id, facts(5));
    assert.equal(critical?.policyId, own.body.id);
    assert.equal(critical?.escalationPolicyId, esc.body.id);
    // 10 working minutes on Monday, the other 5 the next Monday at 09:00 CET.
    assert.equal(critical?.clocks.find((c) => c.kind === 'acknowledge')?.dueAt?.toISOString(), '2026-03-16T08:05:00.000Z');
    const medium = await sla.planCase(a.id, facts(3));
    assert.equal(medium?.scope, 'mssp');
    assert.equal(medium?.clocks.find((c) => c.kind === 'acknowledge')?.dueAt?.toISOString(), '2026-03-09T16:50:00.000Z');
    assert.equal(await sla.planCase(a.id, facts(1)), null);
    const pages = await sla.planEscalation(a.id, esc.body.id, new Date('2026-03-09T10:15:00Z'));
    assert.deepEqual(
      pages.map((p) => [p.at.toISOString(), p.userIds]),
      [
        ['2026-03-09T10:15:00.000Z', [ana]], // the 11th hourly turn of two: ana's
        ['2026-03-09T10:45:00.000Z', [providerUser]],
      ],
    );
    await assert.rejects(sla.planEscalation(b.id, esc.body.id, new Date()), /not found/);
    for (const [path, id, key] of [
      ['/sla/policies', own.body.id, a.key],
      ['/sla/policies', msp.body.id, operator],
      ['/escalation-policies', esc.body.id, a.key],
      ['/oncall/rotas', rota.body.id, a.key],
      ['/sla/calendars', cal.body.id, a.key],
    ] as const) {
      assert.equal((await call('DELETE', `${path}/${id}`, key)).status, 204, path);
    }
  });
});
