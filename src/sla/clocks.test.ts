import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BusinessCalendar } from './calendar.js';
import { type CaseFacts, clockState, effectiveSeverity, holdPauses, planClocks, resolvePolicy, type SlaTargets, thresholdInstants } from './clocks.js';

const M = 60_000;
const H = 60 * M;
const at = (iso: string): Date => new Date(iso);
const policy = (severityId: number, ack: number, contain: number, resolve: number, extra: Partial<SlaTargets> = {}): SlaTargets & { id: string } => ({
  id: `p${severityId}`,
  severityId,
  timeToAcknowledgeMs: ack,
  timeToContainMs: contain,
  timeToResolveMs: resolve,
  clockStart: 'detected',
  pauseOnHold: true,
  thresholds: [50, 80, 100],
  ...extra,
});
const facts = (over: Partial<CaseFacts> = {}): CaseFacts => ({
  alerts: [{ detectedAt: at('2026-03-09T10:00:00Z'), receivedAt: at('2026-03-09T10:02:00Z') }],
  severityChanges: [{ at: at('2026-03-09T10:02:00Z'), severityId: 5 }],
  statusChanges: [{ at: at('2026-03-09T10:02:00Z'), status: 'new' }],
  firstAnalystActionAt: null,
  containedAt: null,
  resolvedAt: null,
  ...over,
});
const byKind = <T extends { kind: string }>(xs: T[]): Record<string, T> => Object.fromEntries(xs.map((x) => [x.kind, x]));

describe('resolvePolicy', () => {
  const tenant = [policy(5, 10 * M, 30 * M, 4 * H)];
  const msp = [policy(5, 15 * M, 60 * M, 8 * H), policy(3, 60 * M, 4 * H, 24 * H)];
  test("the tenant's own policy wins, the MSSP default fills in, otherwise none", () => {
    assert.equal(resolvePolicy(tenant, msp, 5)!.timeToAcknowledgeMs, 10 * M);
    assert.equal(resolvePolicy(tenant, msp, 3)!.timeToAcknowledgeMs, 60 * M);
    assert.equal(resolvePolicy(tenant, msp, 1), null);
  });
});

describe('planClocks', () => {
  const critical = policy(5, 15 * M, 60 * M, 8 * H);
  test('counted from detection or from receipt', () => {
    assert.equal(byKind(planClocks(facts(), critical)).acknowledge!.dueAt!.toISOString(), '2026-03-09T10:15:00.000Z');
    assert.equal(byKind(planClocks(facts(), { ...critical, clockStart: 'received' })).acknowledge!.dueAt!.toISOString(), '2026-03-09T10:17:00.000Z');
    // A detection time after receipt (a source's clock running fast) counts from receipt.
    const skewed = facts({ alerts: [{ detectedAt: at('2026-03-09T10:30:00Z'), receivedAt: at('2026-03-09T10:02:00Z') }] });
    assert.equal(byKind(planClocks(skewed, critical)).acknowledge!.startedAt.toISOString(), '2026-03-09T10:02:00.000Z');
    const clocks = byKind(planClocks(facts(), critical));
    assert.equal(clocks.contain!.dueAt!.toISOString(), '2026-03-09T11:00:00.000Z');
    assert.equal(clocks.resolve!.dueAt!.toISOString(), '2026-03-09T18:00:00.000Z');
  });

  test('a merged case keeps the earliest start of its alerts', () => {
    const merged = facts({
      alerts: [
        { detectedAt: at('2026-03-09T10:00:00Z'), receivedAt: at('2026-03-09T10:02:00Z') },
        { detectedAt: at('2026-03-09T09:40:00Z'), receivedAt: at('2026-03-09T09:41:00Z') },
      ],
    });
    assert.equal(byKind(planClocks(merged, critical)).acknowledge!.dueAt!.toISOString(), '2026-03-09T09:55:00.000Z');
  });

  test('raising the severity tightens the clocks; lowering it does not loosen them', () => {
    const policies = [policy(3, 60 * M, 4 * H, 24 * H), critical];
    const raised = facts({
      severityChanges: [
        { at: at('2026-03-09T10:02:00Z'), severityId: 3 },
        { at: at('2026-03-09T10:20:00Z'), severityId: 5 },
        { at: at('2026-03-09T10:40:00Z'), severityId: 3 },
      ],
    });
    assert.equal(effectiveSeverity(raised), 5);
    const before = byKind(planClocks(facts({ severityChanges: [raised.severityChanges[0]!] }), resolvePolicy(policies, [], 3)!));
    const after = byKind(planClocks(raised, resolvePolicy(policies, [], effectiveSeverity(raised))!));
    assert.equal(before.contain!.dueAt!.toISOString(), '2026-03-09T14:00:00.000Z');
    assert.equal(after.contain!.dueAt!.toISOString(), '2026-03-09T11:00:00.000Z');
    assert.equal(after.contain!.startedAt.toISOString(), before.contain!.startedAt.toISOString());
  });

  test('time on hold does not count when the policy pauses on hold', () => {
    const held = facts({
      statusChanges: [
        { at: at('2026-03-09T10:02:00Z'), status: 'new' },
        { at: at('2026-03-09T10:05:00Z'), status: 'on_hold' },
        { at: at('2026-03-09T10:35:00Z'), status: 'in_progress' },
      ],
    });
    assert.equal(byKind(planClocks(held, critical)).acknowledge!.dueAt!.toISOString(), '2026-03-09T10:45:00.000Z');
    assert.equal(byKind(planClocks(held, { ...critical, pauseOnHold: false })).acknowledge!.dueAt!.toISOString(), '2026-03-09T10:15:00.000Z');
    const stillHeld = facts({ statusChanges: [{ at: at('2026-03-09T10:05:00Z'), status: 'on_hold' }] });
    assert.deepEqual(holdPauses(stillHeld.statusChanges), [{ from: at('2026-03-09T10:05:00Z'), to: null }]);
    assert.equal(byKind(planClocks(stillHeld, critical)).acknowledge!.dueAt, null);
  });

  test('business hours and thresholds', () => {
    const office: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      kind: 'business_hours',
      hours: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] },
    };
    const low = policy(2, 4 * H, 8 * H, 16 * H, { thresholds: [100, 25] });
    const ack = byKind(planClocks(facts(), low, office)).acknowledge!; // Monday 11:00 CET
    assert.equal(ack.dueAt!.toISOString(), '2026-03-09T14:00:00.000Z');
    assert.deepEqual(
      ack.thresholds.map((t) => [t.percent, t.at!.toISOString()]),
      [
        [25, '2026-03-09T11:00:00.000Z'],
        [100, '2026-03-09T14:00:00.000Z'],
      ],
    );
    const contain = byKind(planClocks(facts(), low, office)).contain!;
    assert.equal(contain.dueAt!.toISOString(), '2026-03-10T10:00:00.000Z'); // 6 h Monday, 2 h Tuesday
    assert.deepEqual(
      thresholdInstants(at('2026-03-09T10:00:00Z'), 60 * M, { timeZone: 'UTC', kind: '24x7' }, []).map((t) => t.at!.toISOString()),
      ['2026-03-09T10:30:00.000Z', '2026-03-09T10:48:00.000Z', '2026-03-09T11:00:00.000Z'],
    );
  });
});

describe('clockState', () => {
  const critical = policy(5, 15 * M, 60 * M, 8 * H);
  test('running, then breached, with remaining and overdue time', () => {
    const ack = byKind(planClocks(facts(), critical)).acknowledge!;
    const s1 = clockState(ack, at('2026-03-09T10:09:00Z'));
    assert.equal(s1.status, 'running');
    assert.equal(s1.remainingMs, 6 * M);
    assert.equal(s1.counting, true);
    assert.deepEqual(
      s1.thresholds.map((t) => t.reached),
      [true, false, false],
    );
    const s2 = clockState(ack, at('2026-03-09T10:20:00Z'));
    assert.equal(s2.status, 'breached');
    assert.equal(s2.breached, true);
    assert.equal(s2.breachedByMs, 5 * M);
    assert.equal(s2.remainingMs, -5 * M);
  });

  test('met when the first analyst action or a containment comes in time; breached by how much when late', () => {
    const onTime = byKind(planClocks(facts({ firstAnalystActionAt: at('2026-03-09T10:12:00Z') }), critical)).acknowledge!;
    const s = clockState(onTime, at('2026-03-09T12:00:00Z'));
    assert.equal(s.status, 'met');
    assert.equal(s.met, true);
    assert.equal(s.remainingMs, 3 * M);
    const automated = byKind(planClocks(facts({ containedAt: at('2026-03-09T10:04:00Z') }), critical));
    assert.equal(clockState(automated.acknowledge!, at('2026-03-09T12:00:00Z')).met, true);
    assert.equal(clockState(automated.contain!, at('2026-03-09T12:00:00Z')).met, true);
    const late = byKind(planClocks(facts({ firstAnalystActionAt: at('2026-03-09T10:25:00Z') }), critical)).acknowledge!;
    const l = clockState(late, at('2026-03-09T12:00:00Z'));
    assert.equal(l.status, 'breached');
    assert.equal(l.met, false);
    assert.equal(l.breachedByMs, 10 * M);
    // Before the stop happened, the clock was still running.
    assert.equal(clockState(late, at('2026-03-09T10:10:00Z')).status, 'running');
  });

  test('paused while on hold', () => {
    const held = facts({ statusChanges: [{ at: at('2026-03-09T10:05:00Z'), status: 'on_hold' }] });
    const ack = byKind(planClocks(held, critical)).acknowledge!;
    const s = clockState(ack, at('2026-03-09T11:00:00Z'));
    assert.equal(s.status, 'paused');
    assert.equal(s.paused, true);
    assert.equal(s.counting, false);
    assert.equal(s.elapsedMs, 5 * M);
    assert.equal(s.dueAt, null);
  });

  test('a resolution without containment stops the contain clock too', () => {
    const clocks = byKind(planClocks(facts({ resolvedAt: at('2026-03-09T10:50:00Z'), firstAnalystActionAt: at('2026-03-09T10:03:00Z') }), critical));
    const now = at('2026-03-10T00:00:00Z');
    assert.deepEqual(
      ['acknowledge', 'contain', 'resolve'].map((k) => clockState(clocks[k]!, now).status),
      ['met', 'met', 'met'],
    );
  });
});
