import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ApiKeysService } from '../../src/tenants/api-keys.service.js';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { type SeedCalendar, seedCase, seedClock, type SeedClock } from '../support/sla-seed.js';

/**
 * `GET /api/v1/metrics/sla` against figures this file computes itself from the rows it seeds: counts,
 * breach rate, p50/p90 of the met clocks' working time (24/7 with a hold, and office hours across a
 * weekend, worked out by hand), by severity and by day and week in the tenant's zone.
 */
type Clock = SeedClock['clock'];
interface Figures {
  total: number;
  open: number;
  met: number;
  breached: number;
  breachRate: number | null;
  elapsedP50Ms: number | null;
  elapsedP90Ms: number | null;
}
type ByClock = Record<Clock, Figures>;
interface View {
  tenant: string;
  timeZone: string;
  bucket: string | null;
  clocks: ByClock;
  bySeverity: Array<{ severity: string; severityId: number; clocks: ByClock }>;
  byPeriod: Array<{ period: string; start: string; clocks: ByClock }>;
}
/** What the test expects of one seeded clock. */
interface Seeded {
  clock: Clock;
  severityId: number;
  startedAt: Date;
  outcome: 'open' | 'met' | 'breached';
  elapsedMs?: number;
}

const MIN = 60_000;
const OFFICE: SeedCalendar = {
  timeZone: 'UTC',
  kind: 'business_hours',
  hours: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '17:00' }] },
};
// A range of its own (March 2025, around the Berlin DST change on the 30th) that no other test seeds.
const FROM = '2025-03-01T00:00:00Z';
const TO = '2025-04-01T00:00:00Z';

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = p * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return Math.round(s[lo]! + (s[hi]! - s[lo]!) * (rank - lo));
}

function expectedFigures(clocks: Seeded[]): ByClock {
  const out = {} as ByClock;
  for (const kind of ['acknowledge', 'contain', 'resolve'] as const) {
    const mine = clocks.filter((c) => c.clock === kind);
    const met = mine.filter((c) => c.outcome === 'met');
    const breached = mine.filter((c) => c.outcome === 'breached').length;
    out[kind] = {
      total: mine.length,
      open: mine.filter((c) => c.outcome === 'open').length,
      met: met.length,
      breached,
      breachRate: met.length + breached === 0 ? null : breached / (met.length + breached),
      elapsedP50Ms: percentile(
        met.map((c) => c.elapsedMs!),
        0.5,
      ),
      elapsedP90Ms: percentile(
        met.map((c) => c.elapsedMs!),
        0.9,
      ),
    };
  }
  return out;
}

/** The local date in `zone` (YYYY-MM-DD), and the Monday of its ISO week. */
function localDate(at: Date, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
function mondayOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

function assertFigures(actual: ByClock, expected: ByClock, what: string): void {
  for (const kind of ['acknowledge', 'contain', 'resolve'] as const) {
    const a = actual[kind];
    const e = expected[kind];
    assert.deepEqual(
      { ...a, breachRate: a.breachRate === null ? null : Number(a.breachRate.toFixed(9)) },
      { ...e, breachRate: e.breachRate === null ? null : Number(e.breachRate.toFixed(9)) },
      `${what}: ${kind}`,
    );
  }
}

describe('SLA figures (e2e)', () => {
  let stack: TestStack;
  let a: TestTenant;
  let b: TestTenant;
  let viewer: string;
  let operator: string;
  const seededA: Seeded[] = [];

  const get = (key: string, query: string, headers?: Record<string, string>) => http<View>('GET', `${stack.url}/api/v1/metrics/sla?${query}`, { key, headers });

  async function seed(tenantId: string, list: Seeded[] | null, s: Omit<SeedClock, 'tenantId' | 'caseId'> & { outcome: Seeded['outcome']; elapsedMs?: number }): Promise<void> {
    const caseId = await seedCase(stack.db, tenantId, { severityId: s.severityId ?? 4 });
    const { outcome, elapsedMs, ...row } = s;
    await seedClock(stack.db, { tenantId, caseId, ...row });
    list?.push({ clock: s.clock, severityId: s.severityId ?? 4, startedAt: s.startedAt, outcome, ...(elapsedMs === undefined ? {} : { elapsedMs }) });
  }

  before(async () => {
    stack = await startTestStack();
    a = await stack.createTenant();
    b = await stack.createTenant();
    viewer = await stack.createKey(a.id, 'viewer');
    operator = `vgl_test_${randomBytes(16).toString('hex')}`;
    await stack.api.get(ApiKeysService).ensureAdminKey(operator);
    // Tenant A's policies name a Berlin calendar: its figures are cut in Berlin time.
    const calendar = await http<{ id: string }>('POST', `${stack.url}/api/v1/sla/calendars`, {
      key: a.key,
      body: { name: 'Berlin office', kind: 'business_hours', timeZone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }] } },
    });
    assert.equal(calendar.status, 201, JSON.stringify(calendar.body));
    const policy = await http('POST', `${stack.url}/api/v1/sla/policies`, {
      key: a.key,
      body: { name: 'High', severity: 'high', timeToAcknowledge: 'PT15M', timeToContain: 'PT1H', timeToResolve: 'P1D', calendarId: calendar.body.id },
    });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));

    const t = a.id;
    const kinds: Clock[] = ['acknowledge', 'contain', 'resolve'];
    // Met 24/7 clocks with varied durations, severities and days (one at 23:30 UTC: the next day in Berlin).
    for (let i = 0; i < 24; i++) {
      const clock = kinds[i % 3]!;
      const severityId = i % 4 === 0 ? 5 : 4;
      const startedAt = new Date(Date.parse('2025-03-03T08:00:00Z') + i * 26 * 3_600_000 + (i === 5 ? 5.5 * 3_600_000 : 0));
      const tookMs = (3 + ((i * 7) % 23)) * MIN + i * 1000;
      await seed(t, seededA, {
        clock,
        severityId,
        startedAt,
        targetSeconds: 3600,
        status: 'met',
        metAt: new Date(startedAt.getTime() + tookMs),
        outcome: 'met',
        elapsedMs: tookMs,
      });
    }
    // Met with a 10-minute hold: 40 minutes of wall time, 30 of working time.
    const held = new Date('2025-03-12T10:00:00Z');
    await seed(t, seededA, {
      clock: 'contain',
      startedAt: held,
      targetSeconds: 3600,
      status: 'met',
      metAt: new Date(held.getTime() + 40 * MIN),
      pauses: [{ from: new Date(held.getTime() + 5 * MIN).toISOString(), to: new Date(held.getTime() + 15 * MIN).toISOString() }],
      outcome: 'met',
      elapsedMs: 30 * MIN,
    });
    // Met in office hours across a weekend: Friday 16:30 to Monday 09:45 is 30 + 45 minutes of working time.
    await seed(t, seededA, {
      clock: 'acknowledge',
      startedAt: new Date('2025-03-07T16:30:00Z'),
      targetSeconds: 7200,
      dueAt: new Date('2025-03-10T10:30:00Z'),
      status: 'met',
      metAt: new Date('2025-03-10T09:45:00Z'),
      calendar: OFFICE,
      outcome: 'met',
      elapsedMs: 75 * MIN,
    });
    // Breached: recorded, and still running past due without a record yet.
    for (let i = 0; i < 4; i++) {
      const startedAt = new Date(Date.parse('2025-03-20T12:00:00Z') + i * 86_400_000);
      await seed(t, seededA, {
        clock: kinds[i % 3]!,
        severityId: 5,
        startedAt,
        targetSeconds: 900,
        status: i < 3 ? 'breached' : 'running',
        breachedAt: i < 3 ? new Date(startedAt.getTime() + 900_000) : null,
        breachedByMs: i < 3 ? 60_000 : null,
        outcome: 'breached',
      });
    }
    // Open, not yet due (a huge target), and paused with an open hold.
    await seed(t, seededA, { clock: 'resolve', startedAt: new Date('2025-03-30T01:30:00Z'), targetSeconds: 2_000_000_000, status: 'running', outcome: 'open' });
    await seed(t, seededA, {
      clock: 'resolve',
      startedAt: new Date('2025-03-31T20:00:00Z'),
      targetSeconds: 3600,
      dueAt: null,
      status: 'paused',
      pauses: [{ from: '2025-03-31T20:10:00Z', to: null }],
      outcome: 'open',
    });
    // Outside the range: never counted.
    await seed(t, null, {
      clock: 'acknowledge',
      startedAt: new Date('2025-04-01T00:00:00Z'),
      targetSeconds: 60,
      status: 'breached',
      breachedAt: new Date('2025-04-01T00:01:00Z'),
      outcome: 'breached',
    });
    await seed(t, null, {
      clock: 'acknowledge',
      startedAt: new Date('2025-02-28T23:59:59Z'),
      targetSeconds: 60,
      status: 'breached',
      breachedAt: new Date('2025-03-01T00:01:00Z'),
      outcome: 'breached',
    });
    // Tenant B: two breaches in the range, only for tenant=all.
    for (let i = 0; i < 2; i++) {
      await seed(b.id, null, {
        clock: 'acknowledge',
        startedAt: new Date('2025-03-15T12:00:00Z'),
        targetSeconds: 60,
        status: 'breached',
        breachedAt: new Date('2025-03-15T12:01:00Z'),
        outcome: 'breached',
      });
    }
  });
  after(async () => {
    await stack?.stop();
  });

  test("totals and severities match figures computed from the seeded rows, in the tenant's zone", async () => {
    const res = await get(viewer, `from=${FROM}&to=${TO}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.tenant, a.slug);
    assert.equal(res.body.timeZone, 'Europe/Berlin');
    assert.equal(res.body.bucket, null);
    assert.deepEqual(res.body.byPeriod, []);
    assertFigures(res.body.clocks, expectedFigures(seededA), 'totals');
    assert.equal(res.body.clocks.acknowledge.total + res.body.clocks.contain.total + res.body.clocks.resolve.total, seededA.length);
    assert.deepEqual(
      res.body.bySeverity.map((s) => s.severityId),
      [5, 4],
    );
    for (const s of res.body.bySeverity) {
      assertFigures(s.clocks, expectedFigures(seededA.filter((c) => c.severityId === s.severityId)), `severity ${s.severity}`);
    }
  });

  test("working time counts the clock's own calendar and holds: office hours across a weekend, a 24/7 clock with a hold", async () => {
    const office = await get(a.key, 'from=2025-03-07T16:00:00Z&to=2025-03-07T17:00:00Z');
    assert.equal(office.body.clocks.acknowledge.met, 1);
    assert.equal(office.body.clocks.acknowledge.elapsedP50Ms, 75 * MIN);
    const held = await get(a.key, 'from=2025-03-12T09:59:00Z&to=2025-03-12T10:01:00Z');
    assert.equal(held.body.clocks.contain.met, 1);
    assert.equal(held.body.clocks.contain.elapsedP90Ms, 30 * MIN);
  });

  for (const bucket of ['day', 'week'] as const) {
    test(`bucket=${bucket}: periods cut in Europe/Berlin, each with its own figures`, async () => {
      const res = await get(a.key, `from=${FROM}&to=${TO}&bucket=${bucket}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const periodOf = (c: Seeded): string => (bucket === 'day' ? localDate(c.startedAt, 'Europe/Berlin') : mondayOf(localDate(c.startedAt, 'Europe/Berlin')));
      const expected = [...new Set(seededA.map(periodOf))].sort();
      assert.deepEqual(
        res.body.byPeriod.map((p) => p.period),
        expected,
      );
      for (const p of res.body.byPeriod) {
        assertFigures(p.clocks, expectedFigures(seededA.filter((c) => periodOf(c) === p.period)), `period ${p.period}`);
        // The period starts at local midnight: 23:00 UTC the day before in winter, 22:00 in summer (from 31 March; the 30th begins in winter).
        const offsetHours = p.period > '2025-03-30' ? 2 : 1;
        assert.equal(p.start, new Date(Date.parse(`${p.period}T00:00:00Z`) - offsetHours * 3_600_000).toISOString());
      }
      if (bucket === 'day')
        assert.ok(
          expected.includes(localDate(seededA[5]!.startedAt, 'Europe/Berlin')) &&
            localDate(seededA[5]!.startedAt, 'Europe/Berlin') !== seededA[5]!.startedAt.toISOString().slice(0, 10),
          'a clock late in the UTC day counts on the next Berlin day',
        );
    });
  }

  test('timeZone overrides the zone; tenant=all (operators) counts every tenant; others stay in their tenant', async () => {
    const utc = await get(a.key, `from=${FROM}&to=${TO}&bucket=day&timeZone=UTC`);
    assert.equal(utc.status, 200);
    assert.deepEqual(
      utc.body.byPeriod.map((p) => p.period),
      [...new Set(seededA.map((c) => c.startedAt.toISOString().slice(0, 10)))].sort(),
    );
    const own = await get(b.key, `from=${FROM}&to=${TO}`);
    assert.equal(own.body.clocks.acknowledge.total, 2);
    assert.equal(own.body.timeZone, 'UTC');
    const named = await get(operator, `from=${FROM}&to=${TO}`, { 'x-vigil-tenant': a.slug });
    assertFigures(named.body.clocks, expectedFigures(seededA), 'operator naming tenant A');
    const all = await get(operator, `from=${FROM}&to=${TO}&tenant=all`);
    assert.equal(all.status, 200, JSON.stringify(all.body));
    assert.equal(all.body.tenant, 'all');
    const rows: Array<{ n: number }> = await stack.db.query(`SELECT count(*)::int AS n FROM case_sla_clocks WHERE started_at >= $1 AND started_at < $2`, [FROM, TO]);
    const allTotal = all.body.clocks.acknowledge.total + all.body.clocks.contain.total + all.body.clocks.resolve.total;
    assert.equal(allTotal, rows[0]!.n);
    assert.ok(allTotal >= seededA.length + 2);
    const refused = await get(a.key, `tenant=all`);
    assert.equal(refused.status, 403);
  });

  test('bad input is a 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['bucket=year', 'bucket'],
      ['from=yesterday', 'from'],
      [`from=${TO}&to=${FROM}`, 'to'],
      ['timeZone=Mars/Olympus', 'timeZone'],
      ['tenant=everyone', 'tenant'],
      ['color=red', ''],
    ];
    for (const [query, field] of cases) {
      const res = await http<{ error: { code: string; details: { issues?: Array<{ path: string }> } } }>('GET', `${stack.url}/api/v1/metrics/sla?${query}`, { key: a.key });
      assert.equal(res.status, 400, query);
      assert.equal(res.body.error.code, 'invalid_query', query);
      if (field)
        assert.ok(
          (res.body.error.details.issues ?? []).some((i) => i.path === field),
          `${query} names ${field}: ${JSON.stringify(res.body)}`,
        );
    }
  });
});
