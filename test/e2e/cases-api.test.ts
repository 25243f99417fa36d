import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { CaseRunsService } from '../../src/cases/case-runs.service.js';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}
interface Summary {
  id: string;
  title: string;
  status: string;
  severity: string;
  severityId: number;
  source: string;
  assignee: string | null;
  tags: string[];
  alertCount: number;
  resolution: string | null;
  mergedInto: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  items: Summary[];
  nextCursor: string | null;
}
interface TimelineEntry {
  actor: string;
  kind: string;
  message: string;
  data: Record<string, unknown>;
}
interface Detail extends Summary {
  run: { status: string };
  allowedTransitions: string[];
  alerts: Array<{ id: string }>;
  observables: Array<{
    kind: string;
    value: string;
    alertCount: number;
    verdict: string | null;
    verdicts: Array<{ verdict: string; action: string | null; stepId: string | null }>;
  }>;
  attacks: Array<{ tactic: { uid: string } | null; technique: { uid: string } | null; subTechnique: { uid: string } | null }>;
  approvals: unknown[];
  tasks: Array<{ id: string; title: string; done: boolean; assignee: string | null }>;
  comments: Array<{ id: string; body: string; author: string }>;
  timeline: TimelineEntry[];
}

interface SeedCase {
  title?: string;
  status?: string;
  severityId?: number;
  source?: string;
  tags?: string[];
  assignee?: string | null;
  createdAt?: string;
  resolution?: string | null;
  /** Severities of alerts to attach (one alert each). */
  alerts?: number[];
}

/** Inserts a case (and alerts) straight into PostgreSQL, with no playbook run. */
async function seedCase(stack: TestStack, tenantId: string, c: SeedCase = {}): Promise<string> {
  const id = randomUUID();
  const created = c.createdAt ?? new Date().toISOString();
  await stack.db.query(
    `INSERT INTO cases (id, tenant_id, title, status, severity_id, fingerprint, source, alert_count, run_status, workflow_id, last_alert_at, created_at, updated_at, tags, assignee, resolution)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'none', $9, $10, $10, $10, $11, $12, $13)`,
    [
      id,
      tenantId,
      c.title ?? 'Seeded case',
      c.status ?? 'new',
      c.severityId ?? 3,
      `fp-${id}`,
      c.source ?? 'generic',
      c.alerts?.length ?? 0,
      `case-${id}`,
      created,
      c.tags ?? [],
      c.assignee ?? null,
      c.resolution ?? null,
    ],
  );
  for (const [i, sev] of (c.alerts ?? []).entries()) {
    // Vigil's observables go to their own column; the finding lists them as OCSF does (no kind).
    const observables = [
      { kind: 'ip', name: 'unmapped.iocs[0]', type_id: 2, type: 'IP Address', value: '198.51.100.7', is_private: false },
      { kind: 'domain', name: 'unmapped.iocs[1]', type_id: 1, type: 'Hostname', value: i % 2 === 0 ? 'Evil.example' : 'evil.example' },
    ];
    const finding = {
      severity_id: sev,
      finding_info: { uid: `${id}-${i}`, title: `alert ${i}`, attacks: [{ tactic: { uid: 'TA0011', name: 'Command and Control' }, technique: { uid: 'T1071' } }] },
      unmapped: { iocs: observables.map((o) => o.value) },
      observables: observables.map(({ name, type_id, type, value }) => ({ name, type_id, type, value })),
    };
    await stack.db.query(
      `INSERT INTO alerts (tenant_id, case_id, source, source_uid, fingerprint, severity_id, title, event_time, finding, observables, raw, first_seen_at, last_seen_at, join_reason)
       VALUES ($1, $2, 'generic', $3, $4, $5, $6, now(), $7, $8, '{}', clock_timestamp(), clock_timestamp(), '{"rule":"new_case"}')`,
      [tenantId, id, `${id}-${i}`, `fp-${id}`, sev, `alert ${i}`, JSON.stringify(finding), JSON.stringify(observables)],
    );
  }
  return id;
}

describe('cases API over HTTP', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let analyst: string;
  let viewer: string;
  let author: string;
  let ingest: string;
  const url = (path: string): string => `${stack.url}/api/v1${path}`;

  before(async () => {
    stack = await startTestStack();
    tenant = await stack.createTenant();
    analyst = await stack.createKey(tenant.id, 'analyst');
    viewer = await stack.createKey(tenant.id, 'viewer');
    author = await stack.createKey(tenant.id, 'author');
    ingest = await stack.createKey(tenant.id, 'ingest');
  });
  after(async () => {
    await stack?.stop();
  });

  describe('GET /cases: filters, sorting and cursor pagination', () => {
    let t: TestTenant;
    const ids: Record<string, string> = {};
    before(async () => {
      t = await stack.createTenant();
      const base = Date.parse('2026-01-10T00:00:00Z');
      const day = (n: number): string => new Date(base + n * 86_400_000).toISOString();
      ids['a'] = await seedCase(stack, t.id, { title: 'Beacon to C2 from srv-01', status: 'new', severityId: 2, source: 'generic', tags: ['c2'], createdAt: day(0) });
      ids['b'] = await seedCase(stack, t.id, {
        title: 'Phishing mail reported',
        status: 'triaged',
        severityId: 4,
        source: 'splunk',
        tags: ['phishing', 'mail'],
        assignee: 'ana@soc.example',
        createdAt: day(1),
      });
      ids['c'] = await seedCase(stack, t.id, {
        title: 'Impossible travel',
        status: 'in_progress',
        severityId: 5,
        source: 'sentinel',
        tags: ['identity'],
        assignee: 'bo@soc.example',
        createdAt: day(2),
      });
      ids['d'] = await seedCase(stack, t.id, {
        title: 'BEACON seen again',
        status: 'closed',
        severityId: 4,
        source: 'generic',
        tags: ['c2', 'phishing'],
        resolution: 'true_positive',
        createdAt: day(3),
      });
      ids['e'] = await seedCase(stack, t.id, { title: '100% CPU miner', status: 'new', severityId: 1, source: 'crowdstrike', createdAt: day(4) });
      // Same creation time as `e`: the id breaks the tie.
      ids['f'] = await seedCase(stack, t.id, { title: 'Miner again', status: 'on_hold', severityId: 3, source: 'crowdstrike', assignee: 'ana@soc.example', createdAt: day(4) });
    });

    const list = async (query: string, key = t.key) => http<Page>('GET', `${url('/cases')}?${query}`, { key });
    const names = (page: Page): string[] => page.items.map((c) => Object.keys(ids).find((k) => ids[k] === c.id) ?? '?');
    const tieOrder = (): string[] => (ids['e']! < ids['f']! ? ['e', 'f'] : ['f', 'e']);

    const filters: Array<{ query: string; expected: () => string[] }> = [
      { query: '', expected: () => [...tieOrder().reverse(), 'd', 'c', 'b', 'a'] },
      { query: 'status=new', expected: () => ['e', 'a'] },
      { query: 'status=new,triaged', expected: () => ['e', 'b', 'a'] },
      { query: 'status=new&status=on_hold', expected: () => [...tieOrder().reverse(), 'a'] },
      { query: 'minSeverity=high', expected: () => ['d', 'c', 'b'] },
      { query: 'minSeverity=5', expected: () => ['c'] },
      { query: 'assignee=ana%40soc.example', expected: () => ['f', 'b'] },
      { query: 'tag=c2', expected: () => ['d', 'a'] },
      { query: 'tag=c2,phishing', expected: () => ['d'] },
      { query: 'source=crowdstrike,sentinel', expected: () => [...tieOrder().reverse(), 'c'] },
      { query: 'createdFrom=2026-01-11T00:00:00Z&createdTo=2026-01-13T00:00:00Z', expected: () => ['c', 'b'] },
      { query: 'q=beacon', expected: () => ['d', 'a'] },
      { query: 'q=100%25', expected: () => ['e'] },
      { query: 'q=beacon&status=new', expected: () => ['a'] },
      { query: 'sort=created_at&order=asc', expected: () => ['a', 'b', 'c', 'd', ...tieOrder()] },
      { query: 'sort=severity&order=desc', expected: () => ['c', 'd', 'b', 'f', 'a', 'e'] },
      { query: 'sort=severity&order=asc', expected: () => ['e', 'a', 'f', 'b', 'd', 'c'] },
    ];
    for (const f of filters) {
      test(`?${f.query || '(no filter)'} returns exactly the matching cases in order`, async () => {
        const res = await list(f.query);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(names(res.body), f.expected());
      });
    }

    test('the items carry the summary fields', async () => {
      const res = await list('status=triaged');
      assert.deepEqual(
        { ...res.body.items[0], createdAt: undefined, updatedAt: undefined },
        {
          id: ids['b'],
          title: 'Phishing mail reported',
          status: 'triaged',
          severity: 'high',
          severityId: 4,
          source: 'splunk',
          assignee: 'ana@soc.example',
          tags: ['phishing', 'mail'],
          alertCount: 0,
          resolution: null,
          mergedInto: null,
          runStatus: 'none',
          createdAt: undefined,
          updatedAt: undefined,
        },
      );
    });

    for (const sort of ['created_at', 'updated_at', 'severity']) {
      for (const order of ['asc', 'desc']) {
        test(`cursor pagination by ${sort} ${order} visits every case once, in the unpaged order`, async () => {
          const whole = await list(`sort=${sort}&order=${order}&limit=200`);
          const seen: string[] = [];
          let cursor: string | null = null;
          let pages = 0;
          do {
            const res: { status: number; body: Page } = await list(`sort=${sort}&order=${order}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
            assert.equal(res.status, 200);
            assert.ok(res.body.items.length <= 2);
            seen.push(...res.body.items.map((c) => c.id));
            cursor = res.body.nextCursor;
            pages += 1;
          } while (cursor && pages < 10);
          assert.equal(pages, 3);
          assert.deepEqual(
            seen,
            whole.body.items.map((c) => c.id),
          );
          assert.equal(new Set(seen).size, 6);
        });
      }
    }

    test('the last page has no next cursor', async () => {
      const res = await list('limit=6');
      assert.equal(res.body.items.length, 6);
      assert.equal(res.body.nextCursor, null);
    });

    const bad: Array<{ query: string; code: string }> = [
      { query: 'unknown=1', code: 'invalid_query' },
      { query: 'status=open', code: 'invalid_query' },
      { query: 'minSeverity=extreme', code: 'invalid_query' },
      { query: 'limit=0', code: 'invalid_query' },
      { query: 'limit=201', code: 'invalid_query' },
      { query: 'sort=title', code: 'invalid_query' },
      { query: 'createdFrom=yesterday', code: 'invalid_query' },
      { query: 'cursor=garbage', code: 'invalid_cursor' },
    ];
    for (const b of bad) {
      test(`?${b.query} answers 400 ${b.code}`, async () => {
        const res = await http<ErrorBody>('GET', `${url('/cases')}?${b.query}`, { key: t.key });
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, b.code);
      });
    }

    test('a cursor made for another sort order is refused', async () => {
      const first = await list('limit=2&sort=created_at');
      const res = await http<ErrorBody>('GET', `${url('/cases')}?limit=2&sort=severity&cursor=${encodeURIComponent(first.body.nextCursor!)}`, { key: t.key });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'invalid_cursor');
    });

    test('a forged cursor with a malformed timestamp is a 400, not a 500', async () => {
      const forged = Buffer.from(JSON.stringify({ k: 'cases:created_at:desc', v: ['2026-13-45 10:00:00+00', randomUUID()] })).toString('base64url');
      const res = await http<ErrorBody>('GET', `${url('/cases')}?cursor=${forged}`, { key: t.key });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'invalid_cursor');
    });

    test('another tenant sees none of these cases', async () => {
      const other = await stack.createTenant();
      const res = await list('limit=200', other.key);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.items, []);
    });
  });

  describe('PATCH /cases/{id}: lifecycle over HTTP', () => {
    test('new → triaged is allowed and leaves a status_changed line with the actor', async () => {
      const id = await seedCase(stack, tenant.id);
      const res = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: 'triaged' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, 'triaged');
      const detail = await http<Detail>('GET', url(`/cases/${id}`), { key: viewer });
      const line = detail.body.timeline.find((e) => e.kind === 'status_changed')!;
      assert.equal(line.message, 'status new → triaged');
      assert.match(line.actor, /^api-key:[0-9a-f-]{36}$/);
      assert.deepEqual(line.data, { from: 'new', to: 'triaged' });
      assert.deepEqual(detail.body.allowedTransitions, ['in_progress', 'contained', 'on_hold', 'resolved', 'false_positive', 'closed']);
    });

    const refused: Array<[string, string]> = [
      ['new', 'resolved'],
      ['contained', 'triaged'],
      ['closed', 'resolved'],
      ['false_positive', 'in_progress'],
      ['resolved', 'contained'],
    ];
    for (const [from, to] of refused) {
      test(`${from} → ${to} answers 409 invalid_transition naming the allowed statuses, and changes nothing`, async () => {
        const id = await seedCase(stack, tenant.id, { status: from, resolution: ['closed', 'resolved', 'false_positive'].includes(from) ? 'false_positive' : null });
        const res = await http<ErrorBody>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: to, assignee: 'someone' } });
        assert.equal(res.status, 409);
        assert.equal(res.body.error.code, 'invalid_transition');
        assert.equal(res.body.error.details['from'], from);
        assert.equal(res.body.error.details['to'], to);
        assert.ok(Array.isArray(res.body.error.details['allowed']));
        assert.equal((res.body.error.details['allowed'] as string[]).includes(to), false);
        const after = await http<Detail>('GET', url(`/cases/${id}`), { key: viewer });
        assert.equal(after.body.status, from);
        assert.equal(after.body.assignee, null, 'the assignee in the same request was not applied either');
        assert.equal(after.body.timeline.length, 0);
      });
    }

    test('closing needs a resolution; with one it closes; reopening clears it', async () => {
      const id = await seedCase(stack, tenant.id, { status: 'in_progress' });
      const missing = await http<ErrorBody>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: 'closed' } });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'resolution_required');
      const closed = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: 'closed', resolution: 'benign_positive' } });
      assert.equal(closed.status, 200);
      assert.equal(closed.body.status, 'closed');
      assert.equal(closed.body.resolution, 'benign_positive');
      const reopened = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: 'in_progress' } });
      assert.equal(reopened.body.status, 'in_progress');
      assert.equal(reopened.body.resolution, null);
    });

    test('false_positive sets the false_positive resolution', async () => {
      const id = await seedCase(stack, tenant.id);
      const res = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: 'false_positive' } });
      assert.equal(res.status, 200);
      assert.equal(res.body.resolution, 'false_positive');
    });

    test('the same status again changes nothing and writes nothing', async () => {
      const id = await seedCase(stack, tenant.id, { status: 'triaged' });
      const res = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: 'triaged' } });
      assert.equal(res.status, 200);
      const rows: unknown[] = await stack.db.query(`SELECT 1 FROM audit_log WHERE tenant_id = $1 AND target = $2`, [tenant.id, `case:${id}`]);
      assert.equal(rows.length, 0);
    });

    test('severity can be raised, lowered to the highest alert severity, never below it', async () => {
      const id = await seedCase(stack, tenant.id, { severityId: 3, alerts: [2, 3] });
      const raised = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { severity: 'critical' } });
      assert.equal(raised.status, 200);
      assert.equal(raised.body.severityId, 5);
      assert.equal(raised.body.severity, 'critical');
      const below = await http<ErrorBody>('PATCH', url(`/cases/${id}`), { key: analyst, body: { severity: 2 } });
      assert.equal(below.status, 409);
      assert.equal(below.body.error.code, 'severity_below_alerts');
      assert.deepEqual(below.body.error.details, { severityId: 2, minimum: 3 });
      const back = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { severity: 'medium' } });
      assert.equal(back.status, 200);
      assert.equal(back.body.severityId, 3);
      const detail = await http<Detail>('GET', url(`/cases/${id}`), { key: viewer });
      assert.deepEqual(
        detail.body.timeline.filter((e) => e.kind === 'severity_changed').map((e) => e.message),
        ['severity medium → critical', 'severity critical → medium'],
      );
    });

    test('assignee and tags are set, cleared and written to the timeline', async () => {
      const id = await seedCase(stack, tenant.id, { tags: ['old'] });
      const res = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { assignee: 'ana@soc.example', tags: ['c2', 'c2', 'vip'] } });
      assert.equal(res.status, 200);
      assert.equal(res.body.assignee, 'ana@soc.example');
      assert.deepEqual(res.body.tags, ['c2', 'vip']);
      const cleared = await http<Summary>('PATCH', url(`/cases/${id}`), { key: analyst, body: { assignee: null } });
      assert.equal(cleared.body.assignee, null);
      const detail = await http<Detail>('GET', url(`/cases/${id}`), { key: viewer });
      assert.deepEqual(
        detail.body.timeline.map((e) => `${e.kind}: ${e.message}`),
        ['assigned: assigned to ana@soc.example', 'tags_changed: tags: added c2, vip; removed old', 'assigned: unassigned'],
      );
    });

    const badBodies: Array<{ name: string; body: unknown; code: string }> = [
      { name: 'an unknown field', body: { status: 'triaged', priority: 1 }, code: 'invalid_body' },
      { name: 'an unknown status', body: { status: 'open' }, code: 'invalid_body' },
      { name: 'an empty object', body: {}, code: 'invalid_body' },
      { name: 'a resolution outside the list', body: { status: 'closed', resolution: 'merged' }, code: 'invalid_body' },
      { name: 'a tag with a comma', body: { tags: ['a,b'] }, code: 'invalid_body' },
      { name: 'a severity of 9', body: { severity: 9 }, code: 'invalid_body' },
    ];
    for (const b of badBodies) {
      test(`a body with ${b.name} answers 400 ${b.code}`, async () => {
        const id = await seedCase(stack, tenant.id);
        const res = await http<ErrorBody>('PATCH', url(`/cases/${id}`), { key: analyst, body: b.body });
        assert.equal(res.status, 400);
        assert.equal(res.body.error.code, b.code);
      });
    }

    test('a body that is not JSON answers 400 invalid_json', async () => {
      const id = await seedCase(stack, tenant.id);
      const res = await http<ErrorBody>('PATCH', url(`/cases/${id}`), { key: analyst, raw: '{"status":' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'invalid_json');
    });

    test('an unknown or malformed case id answers 404', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const res = await http<ErrorBody>('PATCH', url(`/cases/${id}`), { key: analyst, body: { status: 'triaged' } });
        assert.equal(res.status, 404);
        assert.equal(res.body.error.code, 'not_found');
      }
    });
  });

  describe('roles', () => {
    const cases: Array<{ role: string; key: () => string; read: number; write: number }> = [
      { role: 'viewer', key: () => viewer, read: 200, write: 403 },
      { role: 'author', key: () => author, read: 200, write: 403 },
      { role: 'ingest', key: () => ingest, read: 403, write: 403 },
      { role: 'analyst', key: () => analyst, read: 200, write: 200 },
      { role: 'admin', key: () => tenant.key, read: 200, write: 200 },
    ];
    for (const c of cases) {
      test(`${c.role}: reads ${c.read}, changes ${c.write}`, async () => {
        const id = await seedCase(stack, tenant.id);
        assert.equal((await http('GET', url('/cases'), { key: c.key() })).status, c.read);
        assert.equal((await http('GET', url(`/cases/${id}`), { key: c.key() })).status, c.read);
        assert.equal((await http('GET', url(`/cases/${id}/comments`), { key: c.key() })).status, c.read);
        assert.equal((await http('GET', url(`/cases/${id}/tasks`), { key: c.key() })).status, c.read);
        assert.equal((await http('PATCH', url(`/cases/${id}`), { key: c.key(), body: { status: 'triaged' } })).status, c.write);
        const expectCreated = c.write === 200 ? 201 : c.write;
        assert.equal((await http('POST', url(`/cases/${id}/comments`), { key: c.key(), body: { body: 'x' } })).status, expectCreated);
        assert.equal((await http('POST', url(`/cases/${id}/tasks`), { key: c.key(), body: { title: 'x' } })).status, expectCreated);
        if (c.write === 403) {
          const forbidden = await http<ErrorBody>('POST', url(`/cases/${id}/merge`), { key: c.key(), body: { into: randomUUID() } });
          assert.equal(forbidden.status, 403);
          assert.equal(forbidden.body.error.code, 'forbidden');
          assert.equal((await http('POST', url(`/cases/${id}/revert`), { key: c.key() })).status, 403);
        }
      });
    }
  });

  describe('comments and tasks', () => {
    test('a comment is stored, listed, shown in the case and on its timeline', async () => {
      const id = await seedCase(stack, tenant.id);
      const res = await http<{ id: string; body: string; author: string }>('POST', url(`/cases/${id}/comments`), { key: analyst, body: { body: '  Host isolated.  ' } });
      assert.equal(res.status, 201);
      assert.equal(res.body.body, 'Host isolated.');
      const listed = await http<{ items: Array<{ id: string }> }>('GET', url(`/cases/${id}/comments`), { key: viewer });
      assert.deepEqual(
        listed.body.items.map((c) => c.id),
        [res.body.id],
      );
      const detail = await http<Detail>('GET', url(`/cases/${id}`), { key: viewer });
      assert.deepEqual(
        detail.body.comments.map((c) => c.body),
        ['Host isolated.'],
      );
      const line = detail.body.timeline.find((e) => e.kind === 'comment_added')!;
      assert.equal(line.message, 'comment: Host isolated.');
      assert.equal(line.actor, res.body.author);
    });

    test('a task is created, completed, reopened, and each step is on the timeline', async () => {
      const id = await seedCase(stack, tenant.id);
      const created = await http<{ id: string; done: boolean; assignee: string | null; doneAt: string | null }>('POST', url(`/cases/${id}/tasks`), {
        key: analyst,
        body: { title: 'Reset password', assignee: 'bo@soc.example' },
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.done, false);
      const done = await http<{ done: boolean; doneAt: string | null }>('PATCH', url(`/cases/${id}/tasks/${created.body.id}`), { key: analyst, body: { done: true } });
      assert.equal(done.status, 200);
      assert.equal(done.body.done, true);
      assert.ok(done.body.doneAt);
      const reopened = await http<{ done: boolean; doneAt: string | null }>('PATCH', url(`/cases/${id}/tasks/${created.body.id}`), {
        key: analyst,
        body: { done: false, title: 'Reset password and MFA' },
      });
      assert.equal(reopened.body.done, false);
      assert.equal(reopened.body.doneAt, null);
      const detail = await http<Detail>('GET', url(`/cases/${id}`), { key: viewer });
      assert.deepEqual(
        detail.body.tasks.map((t) => [t.title, t.done, t.assignee]),
        [['Reset password and MFA', false, 'bo@soc.example']],
      );
      assert.deepEqual(
        detail.body.timeline.map((e) => e.kind),
        ['task_created', 'task_completed', 'task_reopened'],
      );
      const missing = await http<ErrorBody>('PATCH', url(`/cases/${id}/tasks/${randomUUID()}`), { key: analyst, body: { done: true } });
      assert.equal(missing.status, 404);
      const empty = await http<ErrorBody>('PATCH', url(`/cases/${id}/tasks/${created.body.id}`), { key: analyst, body: {} });
      assert.equal(empty.status, 400);
    });
  });

  describe('merge', () => {
    test('alerts, observables, timeline, comments and tasks move to the survivor; the absorbed case is closed as merged', async () => {
      const absorbed = await seedCase(stack, tenant.id, { title: 'Dup', status: 'triaged', severityId: 5, alerts: [5], tags: ['dup'] });
      const survivor = await seedCase(stack, tenant.id, { title: 'Main', status: 'in_progress', severityId: 3, alerts: [3, 2], tags: ['main'] });
      await http('POST', url(`/cases/${absorbed}/comments`), { key: analyst, body: { body: 'seen before' } });
      await http('POST', url(`/cases/${absorbed}/tasks`), { key: analyst, body: { title: 'check host' } });
      const res = await http<{ merged: Summary; into: Summary; alertsMoved: number; workflowNotified: boolean }>('POST', url(`/cases/${absorbed}/merge`), {
        key: analyst,
        body: { into: survivor },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.alertsMoved, 1);
      assert.equal(res.body.workflowNotified, false, 'a case without a run has no workflow to tell');
      assert.equal(res.body.merged.status, 'closed');
      assert.equal(res.body.merged.resolution, 'merged');
      assert.equal(res.body.merged.mergedInto, survivor);
      assert.equal(res.body.into.alertCount, 3);
      assert.equal(res.body.into.severityId, 5);
      assert.deepEqual([...res.body.into.tags].sort(), ['dup', 'main']);

      const into = await http<Detail>('GET', url(`/cases/${survivor}`), { key: viewer });
      assert.equal(into.body.alerts.length, 3);
      assert.deepEqual(
        into.body.comments.map((c) => c.body),
        ['seen before'],
      );
      assert.deepEqual(
        into.body.tasks.map((t) => t.title),
        ['check host'],
      );
      assert.ok(
        into.body.timeline.some((e) => e.kind === 'comment_added'),
        'the absorbed timeline moved',
      );
      const mergedLine = into.body.timeline.find((e) => e.kind === 'case_merged')!;
      assert.equal(mergedLine.data['mergedCaseId'], absorbed);
      assert.equal(into.body.observables.find((o) => o.kind === 'ip')!.alertCount, 3);

      const old = await http<Detail>('GET', url(`/cases/${absorbed}`), { key: viewer });
      assert.equal(old.body.status, 'closed');
      assert.equal(old.body.mergedInto, survivor);
      assert.deepEqual(old.body.alerts, []);
      assert.deepEqual(old.body.allowedTransitions, []);
      assert.deepEqual(
        old.body.timeline.map((e) => e.kind),
        ['status_changed', 'merged_into'],
      );

      const patch = await http<ErrorBody>('PATCH', url(`/cases/${absorbed}`), { key: analyst, body: { status: 'in_progress' } });
      assert.equal(patch.status, 409);
      assert.equal(patch.body.error.code, 'case_merged');
      assert.equal(patch.body.error.details['mergedInto'], survivor);
      const again = await http<ErrorBody>('POST', url(`/cases/${absorbed}/merge`), { key: analyst, body: { into: survivor } });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'case_merged');
    });

    test("a case cannot be merged into itself, into a finished case, or into another tenant's case", async () => {
      const a = await seedCase(stack, tenant.id);
      const done = await seedCase(stack, tenant.id, { status: 'closed', resolution: 'true_positive' });
      const self = await http<ErrorBody>('POST', url(`/cases/${a}/merge`), { key: analyst, body: { into: a } });
      assert.equal(self.status, 400);
      const finished = await http<ErrorBody>('POST', url(`/cases/${a}/merge`), { key: analyst, body: { into: done } });
      assert.equal(finished.status, 409);
      assert.equal(finished.body.error.code, 'conflict');
      const other = await stack.createTenant();
      const foreign = await seedCase(stack, other.id);
      const cross = await http<ErrorBody>('POST', url(`/cases/${a}/merge`), { key: analyst, body: { into: foreign } });
      assert.equal(cross.status, 404);
      const closedSource = await http<ErrorBody>('POST', url(`/cases/${done}/merge`), { key: analyst, body: { into: a } });
      assert.equal(closedSource.status, 409);
      assert.equal(closedSource.body.error.code, 'invalid_transition');
      const notUuid = await http<ErrorBody>('POST', url(`/cases/${a}/merge`), { key: analyst, body: { into: 'x' } });
      assert.equal(notUuid.status, 400);
      const rows: Array<{ status: string; merged_into: string | null }> = await stack.db.query(`SELECT status, merged_into FROM cases WHERE id = $1`, [a]);
      assert.deepEqual(rows[0], { status: 'new', merged_into: null });
    });
  });

  describe('revert', () => {
    test('starts revertCaseWorkflow with id revert-<caseId> on the case task queue, once at a time', async () => {
      const id = await seedCase(stack, tenant.id, { status: 'contained' });
      const res = await http<{ revertWorkflowId: string }>('POST', url(`/cases/${id}/revert`), { key: analyst, body: { reason: 'client confirmed benign' } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      assert.deepEqual(res.body, { revertWorkflowId: `revert-${id}` });
      const connection = await Connection.connect({ address: stack.config.temporal.address });
      try {
        const client = new Client({ connection, namespace: stack.config.temporal.namespace });
        const handle = client.workflow.getHandle(`revert-${id}`);
        const description = await handle.describe();
        assert.equal(description.type, 'revertCaseWorkflow');
        assert.equal(description.taskQueue, stack.config.temporal.taskQueue);
        const again = await http<ErrorBody>('POST', url(`/cases/${id}/revert`), { key: analyst });
        assert.equal(again.status, 409);
        assert.equal(again.body.error.details['revertWorkflowId'], `revert-${id}`);
        const history = await handle.fetchHistory();
        const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
        const payload = started?.input?.payloads?.[0]?.data;
        assert.ok(payload);
        assert.deepEqual(JSON.parse(Buffer.from(payload).toString('utf8')), { tenantId: tenant.id, caseId: id, requestedBy: await analystActor() });
        await handle.terminate('test finished');
      } finally {
        await connection.close();
      }
      const detail = await http<Detail>('GET', url(`/cases/${id}`), { key: viewer });
      const line = detail.body.timeline.find((e) => e.kind === 'revert_requested')!;
      assert.equal(line.message, 'revert of containment requested: client confirmed benign');
      assert.deepEqual(detail.body.timeline.filter((e) => e.kind === 'revert_requested').length, 1);
    });

    async function analystActor(): Promise<string> {
      const rows: Array<{ id: string }> = await stack.db.query(`SELECT id FROM api_keys WHERE tenant_id = $1 AND role = 'analyst'`, [tenant.id]);
      return `api-key:${rows[0]!.id}`;
    }

    test("another tenant's case answers 404 and starts nothing", async () => {
      const other = await stack.createTenant();
      const foreign = await seedCase(stack, other.id);
      const res = await http<ErrorBody>('POST', url(`/cases/${foreign}/revert`), { key: analyst });
      assert.equal(res.status, 404);
    });
  });
});

describe('case detail: observables with verdicts, ATT&CK, approvals', () => {
  let stack: TestStack;
  let tenant: TestTenant;

  before(async () => {
    // No workflow runs here: enrichment lines are written through CaseRunsService, as the activity writes them.
    stack = await startTestStack({ VIGIL_OUTBOX_ENABLED: 'false' });
    tenant = await stack.createTenant();
  });
  after(async () => {
    await stack?.stop();
  });

  test('observables are deduplicated across alerts and carry the worst enrichment verdict', async () => {
    const host = `ws-${randomUUID().slice(0, 8)}`;
    const alert = (n: number, domain: string) => ({
      title: 'Beacon to known C2',
      severity: n === 1 ? 'medium' : 'high',
      sourceId: `${host}-${n}`,
      host,
      observables: [{ type: 'ip', value: '203.0.113.9' }, { type: 'domain', value: domain }, ...(n === 2 ? [{ type: 'url', value: 'http://c2.example/A' }] : [])],
      techniques: n === 1 ? ['T1071.001'] : ['T1071.001', 'T1059'],
      tactics: ['TA0011'],
    });
    const first = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: alert(1, 'c2.example') });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    const caseId = first.body.alerts[0]!.caseId;
    const second = await http<{ alerts: Array<{ caseId: string }> }>('POST', `${stack.url}/api/v1/alerts/generic`, { key: tenant.key, body: alert(2, 'C2.example') });
    assert.equal(second.body.alerts[0]!.caseId, caseId, 'both alerts correlate into one case');

    const runs = stack.api.get(CaseRunsService);
    const step = async (stepId: string, action: string, input: Record<string, unknown>, verdict: string) =>
      runs.recordStep({
        tenantId: tenant.id,
        caseId,
        stepId,
        dedupKey: `wf-${caseId}:${stepId}:1`,
        kind: 'step_finished',
        message: `called ${action}`,
        data: { action, target: 'x', input, output: { verdict, score: 1 } },
      });
    await step('enrich_ip', 'abuseipdb.check_ip', { ip: '203.0.113.9', maxAgeInDays: 90 }, 'suspicious');
    await step('vt_ip', 'virustotal.lookup_ip', { ip: '203.0.113.9' }, 'malicious');
    await step('vt_domain', 'virustotal.lookup_domain', { domain: 'C2.EXAMPLE' }, 'clean');
    await step('vt_url', 'virustotal.lookup_url', { url: 'http://c2.example/a' }, 'malicious');

    const res = await http<Detail>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: tenant.key });
    assert.equal(res.status, 200);
    const detail = res.body;
    assert.equal(detail.alerts.length, 2);
    assert.equal(detail.severityId, 4, 'severity is the highest of the alerts');
    const byKind = (kind: string) => detail.observables.filter((o) => o.kind === kind);
    assert.equal(byKind('ip').length, 1);
    assert.equal(byKind('ip')[0]!.alertCount, 2);
    assert.equal(byKind('ip')[0]!.verdict, 'malicious', 'the worst of suspicious and malicious');
    assert.deepEqual(
      byKind('ip')[0]!.verdicts.map((v) => [v.verdict, v.action, v.stepId]),
      [
        ['suspicious', 'abuseipdb.check_ip', 'enrich_ip'],
        ['malicious', 'virustotal.lookup_ip', 'vt_ip'],
      ],
    );
    assert.equal(byKind('domain').length, 1, 'domains compare without case');
    assert.equal(byKind('domain')[0]!.verdict, 'clean');
    assert.equal(byKind('url').length, 1);
    assert.equal(byKind('url')[0]!.verdict, null, 'URLs compare with case: http://c2.example/a is another URL');
    assert.deepEqual(
      detail.attacks.map((a) => [a.tactic?.uid ?? null, a.technique?.uid ?? null, a.subTechnique?.uid ?? null]).sort(),
      [...new Set(detail.attacks.map((a) => JSON.stringify([a.tactic?.uid ?? null, a.technique?.uid ?? null, a.subTechnique?.uid ?? null])))]
        .map((x) => JSON.parse(x) as unknown)
        .sort(),
      'each ATT&CK combination once',
    );
    assert.ok(detail.attacks.some((a) => a.technique?.uid === 'T1059' || a.subTechnique?.uid === 'T1059'));
    assert.ok(detail.attacks.some((a) => a.subTechnique?.uid === 'T1071.001'));
    assert.deepEqual(detail.approvals, []);
    // An approval the run opened shows in the case (rows as the approvals module writes them).
    await stack.db.query(
      `INSERT INTO approvals (tenant_id, case_id, workflow_id, step_id, visit, question, action, levels, votes, default_outcome, requested_by, expires_at)
       VALUES ($1, $2, $3, 'approve_contain', '1', 'Contain the host?', 'crowdstrike.contain_host', '[{"roles":["analyst"],"timeout":"1h"}]', '[]', 'reject', 'playbook', now() + interval '1 hour')`,
      [tenant.id, caseId, `case-${caseId}`],
    );
    const withApproval = await http<{ approvals: Array<{ caseId: string; question: string; status: string }> }>('GET', `${stack.url}/api/v1/cases/${caseId}`, { key: tenant.key });
    assert.deepEqual(
      withApproval.body.approvals.map((a) => [a.caseId, a.question, a.status]),
      [[caseId, 'Contain the host?', 'pending']],
    );
    assert.deepEqual(detail.allowedTransitions, ['triaged', 'in_progress', 'contained', 'on_hold', 'false_positive', 'closed']);
  });
});
