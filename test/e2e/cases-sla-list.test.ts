import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { http, startTestStack, type TestStack, type TestTenant } from '../support/stack.js';
import { seedCase, seedClock } from '../support/sla-seed.js';

interface Page {
  items: Array<{ id: string; slaDueAt?: string | null }>;
  nextCursor: string | null;
}

/**
 * `GET /api/v1/cases?sla=breached|at_risk` and `sort=sla_due` over seeded `case_sla_clocks` rows:
 * what each filter selects, the order by the earliest open due instant, and pages that neither skip
 * nor repeat a case (also when several cases share a due instant, and past the cases without one).
 */
describe('case list by SLA (e2e)', () => {
  let stack: TestStack;
  let tenant: TestTenant;
  let other: TestTenant;
  const now = Date.now();
  const min = 60_000;
  const expected = { breached: new Set<string>(), atRisk: new Set<string>() };
  /** Every seeded case with its earliest open due instant (null: no open clock). */
  const due = new Map<string, number | null>();

  const list = (key: string, query: string) => http<Page>('GET', `${stack.url}/api/v1/cases?${query}`, { key });

  before(async () => {
    stack = await startTestStack();
    tenant = await stack.createTenant();
    other = await stack.createTenant();
    const t = tenant.id;
    // Breached, recorded; its other clocks still run (due later).
    const recorded = await seedCase(stack.db, t);
    await seedClock(stack.db, {
      tenantId: t,
      caseId: recorded,
      clock: 'acknowledge',
      startedAt: new Date(now - 30 * min),
      targetSeconds: 600,
      status: 'breached',
      breachedAt: new Date(now - 20 * min),
      breachedByMs: 20 * min,
    });
    await seedClock(stack.db, { tenantId: t, caseId: recorded, clock: 'resolve', startedAt: new Date(now - 30 * min), targetSeconds: 7200, status: 'running' });
    expected.breached.add(recorded);
    due.set(recorded, now - 20 * min); // the breached acknowledge clock is still open (not stopped)
    // Running past its due instant, not yet recorded by the workflow: breached too.
    const overdue = await seedCase(stack.db, t);
    await seedClock(stack.db, { tenantId: t, caseId: overdue, clock: 'contain', startedAt: new Date(now - 10 * min), targetSeconds: 300, status: 'running' });
    expected.breached.add(overdue);
    due.set(overdue, now - 5 * min);
    // At risk: 90 % through a 10-minute clock (at-risk at 80 %), due in a minute.
    const risky = await seedCase(stack.db, t);
    await seedClock(stack.db, { tenantId: t, caseId: risky, clock: 'acknowledge', startedAt: new Date(now - 9 * min), targetSeconds: 600, status: 'running' });
    expected.atRisk.add(risky);
    due.set(risky, now + 1 * min);
    // Calm: 10 % through; and a met clock that no longer counts for anything.
    for (let i = 0; i < 5; i++) {
      const calm = await seedCase(stack.db, t);
      // Three of them share a due instant, so the id breaks the tie across pages.
      const start = i < 3 ? now - min : now - min + i * 1000;
      await seedClock(stack.db, { tenantId: t, caseId: calm, clock: 'resolve', startedAt: new Date(start), targetSeconds: 3600, status: 'running' });
      due.set(calm, start + 3600_000);
    }
    const met = await seedCase(stack.db, t);
    await seedClock(stack.db, {
      tenantId: t,
      caseId: met,
      clock: 'acknowledge',
      startedAt: new Date(now - 60 * min),
      targetSeconds: 600,
      status: 'met',
      metAt: new Date(now - 55 * min),
    });
    due.set(met, null);
    // Paused with an open hold: no due instant.
    const held = await seedCase(stack.db, t);
    await seedClock(stack.db, {
      tenantId: t,
      caseId: held,
      clock: 'resolve',
      startedAt: new Date(now - 60 * min),
      targetSeconds: 600,
      status: 'paused',
      dueAt: null,
      atRiskAt: null,
      pauses: [{ from: new Date(now - 59 * min).toISOString(), to: null }],
    });
    due.set(held, null);
    // No clock at all.
    due.set(await seedCase(stack.db, t), null);
    // Another tenant's breached case never shows.
    const foreign = await seedCase(stack.db, other.id);
    await seedClock(stack.db, {
      tenantId: other.id,
      caseId: foreign,
      clock: 'acknowledge',
      startedAt: new Date(now - 30 * min),
      targetSeconds: 60,
      status: 'breached',
      breachedAt: new Date(now - 29 * min),
    });
  });
  after(async () => {
    await stack?.stop();
  });

  test('sla=breached: recorded breaches and open clocks past due; sla=at_risk: running past the at-risk instant, not yet due; tenant scoped', async () => {
    const breached = await list(tenant.key, 'sla=breached&limit=200');
    assert.equal(breached.status, 200, JSON.stringify(breached.body));
    assert.deepEqual(new Set(breached.body.items.map((i) => i.id)), expected.breached);
    const atRisk = await list(tenant.key, 'sla=at_risk&limit=200');
    assert.deepEqual(new Set(atRisk.body.items.map((i) => i.id)), expected.atRisk);
    assert.equal((await list(other.key, 'sla=at_risk')).body.items.length, 0);
    const bad = await list(tenant.key, 'sla=late');
    assert.equal(bad.status, 400);
    assert.ok(JSON.stringify(bad.body).includes('sla'), 'the error names the field');
  });

  for (const order of ['asc', 'desc'] as const) {
    test(`sort=sla_due&order=${order}: the earliest open due instant, cases without one ${order === 'asc' ? 'last' : 'first'}; pages of 2 neither skip nor repeat`, async () => {
      const seen: Page['items'] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 50; pages++) {
        const res: { status: number; body: Page } = await list(tenant.key, `sort=sla_due&order=${order}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(...res.body.items);
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      assert.equal(seen.length, due.size, 'every case once');
      assert.equal(new Set(seen.map((i) => i.id)).size, due.size, 'no case twice');
      const keyOf = (id: string): number => due.get(id) ?? Infinity;
      for (const item of seen) assert.equal(item.slaDueAt === null ? null : Date.parse(item.slaDueAt!), due.get(item.id), 'slaDueAt is the earliest open due instant');
      const keys = seen.map((i) => keyOf(i.id));
      const sorted = [...keys].sort((a, b) => (order === 'asc' ? a - b : b - a));
      assert.deepEqual(keys, sorted);
      // Ties are ordered by id, in the direction of the sort.
      for (let i = 1; i < seen.length; i++) {
        if (keys[i] === keys[i - 1]) assert.ok(order === 'asc' ? seen[i - 1]!.id < seen[i]!.id : seen[i - 1]!.id > seen[i]!.id, 'ties by id');
      }
    });
  }
});
