import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DataSource } from 'typeorm';
import { type CaseFacts, planClocks, type SlaTargets } from '../../src/sla/clocks.js';
import { SlaClockRepository, storedClockState } from '../../src/sla/sla-clock.repository.js';
import { createTestTenant, openTestDatabase } from '../support/database.js';

const POLICY: SlaTargets = {
  severityId: 4,
  timeToAcknowledgeMs: 600_000,
  timeToContainMs: 3_600_000,
  timeToResolveMs: 14_400_000,
  clockStart: 'received',
  pauseOnHold: true,
  thresholds: [50, 80, 100],
};
const T0 = new Date('2026-03-02T10:00:00Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

function facts(extra: Partial<CaseFacts> = {}): CaseFacts {
  return {
    alerts: [{ detectedAt: null, receivedAt: T0 }],
    severityChanges: [{ at: T0, severityId: 4 }],
    statusChanges: [{ at: T0, status: 'new' }],
    firstAnalystActionAt: null,
    containedAt: null,
    resolvedAt: null,
    ...extra,
  };
}

describe('SlaClockRepository (real PostgreSQL)', () => {
  let db: DataSource;
  let tenantId: string;
  let repo: SlaClockRepository;
  const policyId = randomUUID();

  before(async () => {
    db = await openTestDatabase();
    tenantId = await createTestTenant(db);
    repo = new SlaClockRepository(db);
  });
  after(async () => {
    await db?.destroy();
  });

  const plan = (f: CaseFacts, p: SlaTargets = POLICY) => ({ policyId, severityId: p.severityId, clockStart: p.clockStart, escalationPolicyId: null, clocks: planClocks(f, p) });

  test('a plan is stored per clock, re-planned in place, and read back into the same clock state', async () => {
    const caseId = randomUUID();
    const rows = await repo.upsertPlan(db, tenantId, caseId, plan(facts()), at(1));
    assert.deepEqual(
      rows.map((r) => [r.clock, r.status, r.dueAt?.toISOString(), r.atRiskAt?.toISOString()]),
      [
        ['acknowledge', 'running', at(10).toISOString(), at(8).toISOString()],
        ['contain', 'running', at(60).toISOString(), at(48).toISOString()],
        ['resolve', 'running', at(240).toISOString(), at(192).toISOString()],
      ],
    );
    assert.equal(await repo.recordThreshold(db, tenantId, caseId, 'acknowledge', 50, at(5)), true);
    assert.equal(await repo.recordThreshold(db, tenantId, caseId, 'acknowledge', 50, at(5)), false, 'a threshold is recorded once');
    // A hold opens: no due instant; the threshold already reached stays reached.
    const held = await repo.upsertPlan(
      db,
      tenantId,
      caseId,
      plan(
        facts({
          statusChanges: [
            { at: T0, status: 'new' },
            { at: at(6), status: 'on_hold' },
          ],
        }),
      ),
      at(7),
    );
    const ack = held.find((r) => r.clock === 'acknowledge')!;
    assert.equal(ack.status, 'paused');
    assert.equal(ack.dueAt, null);
    assert.equal(ack.thresholds.find((t) => t.percent === 50)!.reachedAt, at(5).toISOString());
    assert.equal(storedClockState(ack, at(30)).remainingMs, 4 * 60_000);
    const listed = await repo.listForCase(db, tenantId, caseId);
    assert.equal(listed.length, 3);
    assert.equal(await repo.listForCase(db, await createTestTenant(db), caseId).then((r) => r.length), 0, 'another tenant sees none');
  });

  test('a breach is recorded once and stays through re-plans; met clocks record when', async () => {
    const caseId = randomUUID();
    await repo.upsertPlan(db, tenantId, caseId, plan(facts()), at(11));
    assert.equal(await repo.recordBreach(db, tenantId, caseId, 'acknowledge', at(10), 60_000), true);
    assert.equal(await repo.recordBreach(db, tenantId, caseId, 'acknowledge', at(10), 60_000), false);
    const later = await repo.upsertPlan(db, tenantId, caseId, plan(facts({ firstAnalystActionAt: at(12), containedAt: at(20) })), at(21));
    const byClock = new Map(later.map((r) => [r.clock, r]));
    assert.equal(byClock.get('acknowledge')!.status, 'breached');
    assert.equal(byClock.get('acknowledge')!.breachedByMs, 120_000);
    assert.equal(byClock.get('contain')!.status, 'met');
    assert.equal(byClock.get('contain')!.metAt?.toISOString(), at(20).toISOString());
    assert.ok((await repo.breached(db, tenantId)).some((r) => r.caseId === caseId && r.clock === 'acknowledge'));
  });

  test('at risk, order by due, open cases in batches, one page per level, acknowledgement once', async () => {
    const tenant = await createTestTenant(db);
    const [a, b] = [randomUUID(), randomUUID()].sort();
    await repo.upsertPlan(db, tenant, a!, plan(facts()), at(0));
    await repo.upsertPlan(db, tenant, b!, plan(facts({ alerts: [{ detectedAt: null, receivedAt: at(-5) }] })), at(0));
    const risky = await repo.atRisk(db, tenant, at(4));
    assert.deepEqual(
      risky.map((r) => [r.caseId, r.clock]),
      [[b, 'acknowledge']],
    );
    const open = await repo.openByDue(db, tenant, 2);
    assert.deepEqual(
      open.map((r) => r.caseId),
      [b, a],
    );
    assert.deepEqual(await repo.casesWithOpenClocks(db, tenant, null, 1), [a]);
    assert.deepEqual(await repo.casesWithOpenClocks(db, tenant, a!, 1), [b]);
    const page = { caseId: a!, clock: 'acknowledge' as const, threshold: 50, level: 0, escalationPolicyId: null, channels: ['email.send'], recipients: [] };
    assert.ok(await repo.claimPage(db, tenant, page));
    assert.equal(await repo.claimPage(db, tenant, page), null);
    assert.ok(await repo.acknowledge(db, tenant, a!, 'acknowledge', 'user:x', at(6)));
    assert.equal(await repo.acknowledge(db, tenant, a!, 'acknowledge', 'user:y', at(7)), null);
    const pages = await repo.listPages(db, tenant, a!);
    assert.equal(pages[0]!.acknowledgedBy, 'user:x');
  });
});
