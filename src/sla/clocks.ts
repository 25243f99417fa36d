import { addWorkingTime, ALWAYS_OPEN, type BusinessCalendar, isCounting, type Pause, workingTimeBetween } from './calendar.js';

/**
 * SLA clocks of one case, pure: which policy applies (`resolvePolicy`), when each clock starts, is
 * due and crosses its escalation thresholds (`planClocks`), and where it stands at an instant
 * (`clockState`). Facts come in as plain values, so the API, activities and tests share one answer.
 */

export const CLOCK_KINDS = ['acknowledge', 'contain', 'resolve'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];
export const CLOCK_STARTS = ['detected', 'received'] as const;
export type ClockStart = (typeof CLOCK_STARTS)[number];
/** Percent of a clock's target at which escalation happens when a policy names none. */
export const DEFAULT_THRESHOLDS: readonly number[] = [50, 80, 100];

/** What planning needs of a policy (the API's view carries the same fields and more). */
export interface SlaTargets {
  severityId: number;
  timeToAcknowledgeMs: number;
  timeToContainMs: number;
  timeToResolveMs: number;
  clockStart: ClockStart;
  pauseOnHold: boolean;
  thresholds: readonly number[];
}

/**
 * The policy for a severity: the tenant's own for it, else the MSSP-wide default for it, else none
 * (no clock runs).
 */
export function resolvePolicy<P extends { severityId: number }>(tenantPolicies: readonly P[], mspDefaults: readonly P[], severityId: number): P | null {
  return tenantPolicies.find((p) => p.severityId === severityId) ?? mspDefaults.find((p) => p.severityId === severityId) ?? null;
}

/** Plain facts of a case, as the cases feature records them. */
export interface CaseFacts {
  /** Every alert of the case, those of cases merged into it included. */
  alerts: ReadonlyArray<{ detectedAt: Date | null; receivedAt: Date }>;
  /** Severity over time; the first entry is the severity the case opened with. */
  severityChanges: ReadonlyArray<{ at: Date; severityId: number }>;
  /** Status over time (the case opens as `new`). */
  statusChanges: ReadonlyArray<{ at: Date; status: string }>;
  /** First analyst action on the case: assignment, comment, status change, approval decision. */
  firstAnalystActionAt: Date | null;
  /** When the case was contained, by an analyst or by a playbook's containment. */
  containedAt: Date | null;
  resolvedAt: Date | null;
}

/** OCSF `Other` (99) ranks below `Informational`: it says nothing about urgency. */
const severityRank = (s: number): number => (s === 99 ? 0.5 : s);

/**
 * The severity a case's clocks follow: the highest it has had. Raising it tightens the clocks (same
 * start, shorter targets); lowering it later does not loosen a promise already running.
 */
export function effectiveSeverity(facts: Pick<CaseFacts, 'severityChanges'>): number {
  if (facts.severityChanges.length === 0) throw new RangeError('a case has a severity');
  return facts.severityChanges.reduce((hi, c) => (severityRank(c.severityId) > severityRank(hi) ? c.severityId : hi), facts.severityChanges[0]!.severityId);
}

/** The spans a case spent `on_hold`, from its status changes (the last one may still be open). */
export function holdPauses(statusChanges: CaseFacts['statusChanges']): Pause[] {
  const sorted = [...statusChanges].sort((a, b) => a.at.getTime() - b.at.getTime());
  const pauses: Pause[] = [];
  let heldSince: Date | null = null;
  for (const change of sorted) {
    if (change.status === 'on_hold' && heldSince === null) heldSince = change.at;
    else if (change.status !== 'on_hold' && heldSince !== null) {
      pauses.push({ from: heldSince, to: change.at });
      heldSince = null;
    }
  }
  if (heldSince !== null) pauses.push({ from: heldSince, to: null });
  return pauses;
}

export interface ThresholdInstant {
  percent: number;
  /** When the clock reaches this share of its target; null while an open hold keeps it from ever getting there. */
  at: Date | null;
}

export interface PlannedClock {
  kind: ClockKind;
  startedAt: Date;
  targetMs: number;
  /** Null while an open hold keeps the clock from running out. */
  dueAt: Date | null;
  /** When the clock stopped (acknowledged, contained, resolved), or null while it runs. */
  stoppedAt: Date | null;
  pauses: Pause[];
  calendar: BusinessCalendar;
  thresholds: ThresholdInstant[];
}

/** The instants each threshold (percent of the target) is reached. */
export function thresholdInstants(
  startedAt: Date,
  targetMs: number,
  calendar: BusinessCalendar,
  pauses: readonly Pause[],
  thresholds: readonly number[] = DEFAULT_THRESHOLDS,
): ThresholdInstant[] {
  return [...thresholds].sort((a, b) => a - b).map((percent) => ({ percent, at: addWorkingTime(startedAt, Math.round((targetMs * percent) / 100), calendar, pauses) }));
}

const earliest = (...dates: Array<Date | null | undefined>): Date | null => dates.reduce<Date | null>((min, d) => (d && (!min || d.getTime() < min.getTime()) ? d : min), null);

/** When the case's clocks start: the earliest alert's detection (never after its receipt) or receipt. */
export function clockStartOf(facts: Pick<CaseFacts, 'alerts'>, clockStart: ClockStart): Date {
  const start = earliest(...facts.alerts.map((a) => (clockStart === 'detected' ? earliest(a.detectedAt, a.receivedAt) : a.receivedAt)));
  if (!start) throw new RangeError('a case without alerts has no SLA clock');
  return start;
}

/**
 * The three clocks of a case under `policy` (the one for `effectiveSeverity(facts)`), counted in
 * `calendar` (24/7 when none). All three start together; acknowledgement stops at the first analyst
 * action or a containment, containment at containment (or resolution without one), resolution at
 * resolution. With `pauseOnHold`, time on hold does not count.
 */
export function planClocks(facts: CaseFacts, policy: SlaTargets, calendar: BusinessCalendar | null = null): PlannedClock[] {
  const cal = calendar ?? ALWAYS_OPEN;
  const startedAt = clockStartOf(facts, policy.clockStart);
  const pauses = policy.pauseOnHold ? holdPauses(facts.statusChanges) : [];
  const stops: Record<ClockKind, Date | null> = {
    acknowledge: earliest(facts.firstAnalystActionAt, facts.containedAt),
    contain: facts.containedAt ?? facts.resolvedAt,
    resolve: facts.resolvedAt,
  };
  const targets: Record<ClockKind, number> = { acknowledge: policy.timeToAcknowledgeMs, contain: policy.timeToContainMs, resolve: policy.timeToResolveMs };
  return CLOCK_KINDS.map((kind) => {
    const stop = stops[kind];
    return {
      kind,
      startedAt,
      targetMs: targets[kind],
      dueAt: addWorkingTime(startedAt, targets[kind], cal, pauses),
      stoppedAt: stop && stop.getTime() < startedAt.getTime() ? startedAt : stop,
      pauses,
      calendar: cal,
      thresholds: thresholdInstants(startedAt, targets[kind], cal, pauses, policy.thresholds.length > 0 ? policy.thresholds : DEFAULT_THRESHOLDS),
    };
  });
}

export type ClockStatus = 'running' | 'paused' | 'met' | 'breached';

export interface ClockState {
  kind: ClockKind;
  status: ClockStatus;
  dueAt: Date | null;
  /** Working time counted so far (up to the stop, when stopped). */
  elapsedMs: number;
  /** Working time left before the due instant; negative once overdue. */
  remainingMs: number;
  /** On hold at `now` (and not stopped). */
  paused: boolean;
  /** The clock counts at `now`: running, in working time and not on hold. */
  counting: boolean;
  /** Stopped within its target. */
  met: boolean;
  /** Overdue: still running past its due instant, or stopped after it. */
  breached: boolean;
  /** How much working time past the target (0 unless breached). */
  breachedByMs: number;
  thresholds: Array<ThresholdInstant & { reached: boolean }>;
}

/** Where a planned clock stands at `now`. */
export function clockState(clock: PlannedClock, now: Date): ClockState {
  const stopped = clock.stoppedAt !== null && clock.stoppedAt.getTime() <= now.getTime();
  const until = stopped ? clock.stoppedAt! : now;
  const elapsedMs = Math.max(0, workingTimeBetween(clock.startedAt, until, clock.calendar, clock.pauses));
  const remainingMs = clock.targetMs - elapsedMs;
  const breached = remainingMs < 0;
  const onHold = clock.pauses.some((p) => {
    const from = typeof p.from === 'number' ? p.from : p.from.getTime();
    const to = p.to === null ? Infinity : typeof p.to === 'number' ? p.to : p.to.getTime();
    return from <= now.getTime() && now.getTime() < to;
  });
  const paused = !stopped && onHold;
  const status: ClockStatus = breached ? 'breached' : stopped ? 'met' : paused ? 'paused' : 'running';
  return {
    kind: clock.kind,
    status,
    dueAt: clock.dueAt,
    elapsedMs,
    remainingMs,
    paused,
    counting: !stopped && now.getTime() >= clock.startedAt.getTime() && isCounting(now, clock.calendar, clock.pauses),
    met: stopped && !breached,
    breached,
    breachedByMs: breached ? -remainingMs : 0,
    thresholds: clock.thresholds.map((t) => ({ ...t, reached: t.at !== null && t.at.getTime() <= until.getTime() })),
  };
}
