import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StoredPause, StoredThreshold } from '../persistence/entities/case-sla-clock.entity.js';
import type { EscalationDelivery, EscalationRecipient } from '../persistence/entities/sla-escalation.entity.js';
import { type Queryable, queryRows } from '../persistence/query-rows.js';
import type { BusinessCalendar } from './calendar.js';
import { type ClockKind, type ClockStart, type ClockState, clockState, type ClockStatus, type PlannedClock } from './clocks.js';

/**
 * SQL of each case's stored SLA clocks (`case_sla_clocks`) and escalation pages (`sla_escalations`).
 * The clock workflow's activities write the plan and what happened once (threshold reached, breach,
 * acknowledgement); the case API and the case list read them. Every statement names the tenant.
 */

/** What the clock workflow planned for a case: `SlaService.planCase`'s answer and the severity it followed. */
export interface CasePlan {
  policyId: string;
  severityId: number;
  clockStart: ClockStart;
  escalationPolicyId: string | null;
  clocks: PlannedClock[];
}

/** A stored clock row, typed. */
export interface StoredClock {
  id: string;
  tenantId: string;
  caseId: string;
  clock: ClockKind;
  policyId: string;
  severityId: number;
  clockStart: ClockStart;
  startedAt: Date;
  targetSeconds: number;
  dueAt: Date | null;
  atRiskAt: Date | null;
  thresholds: StoredThreshold[];
  pauses: StoredPause[];
  calendar: BusinessCalendar;
  escalationPolicyId: string | null;
  status: ClockStatus;
  stoppedAt: Date | null;
  metAt: Date | null;
  breachedAt: Date | null;
  breachedByMs: number | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  updatedAt: Date;
}

/** A stored escalation page, typed. */
export interface StoredEscalation {
  id: string;
  caseId: string;
  clock: ClockKind;
  threshold: number;
  level: number;
  escalationPolicyId: string | null;
  recipients: EscalationRecipient[];
  channels: string[];
  deliveries: EscalationDelivery[];
  sentAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

/** The percent that counts as "at risk": 80 when the policy has it, else its highest threshold below 100, else none. */
export function atRiskPercent(thresholds: readonly number[]): number | null {
  if (thresholds.includes(80)) return 80;
  const below = thresholds.filter((t) => t < 100);
  return below.length > 0 ? Math.max(...below) : null;
}

/** Case-list filters on stored clocks, for `cases c` (`$now` is the placeholder of the instant the list is read at). */
export const SLA_CASE_FILTERS = {
  /** A clock of the case is breached (recorded, or running past its due instant). */
  breached: (now: string) =>
    `EXISTS (SELECT 1 FROM case_sla_clocks s WHERE s.tenant_id = c.tenant_id AND s.case_id = c.id AND (s.status = 'breached' OR (s.stopped_at IS NULL AND s.due_at <= ${now})))`,
  /** A running clock of the case has passed its at-risk threshold and is not yet due. */
  atRisk: (now: string) =>
    `EXISTS (SELECT 1 FROM case_sla_clocks s WHERE s.tenant_id = c.tenant_id AND s.case_id = c.id AND s.stopped_at IS NULL AND s.status = 'running' AND s.at_risk_at <= ${now} AND s.due_at > ${now})`,
  /** Sort key: the case's next due instant among its open clocks (NULL when none: sort them last). */
  nextDue: `(SELECT min(s.due_at) FROM case_sla_clocks s WHERE s.tenant_id = c.tenant_id AND s.case_id = c.id AND s.stopped_at IS NULL)`,
} as const;

const iso = (d: Date | number | null): string | null => (d === null ? null : new Date(d).toISOString());
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string));

/** The stored plan of a clock as `clockState` reads it. */
export function plannedFromStored(row: StoredClock): PlannedClock {
  return {
    kind: row.clock,
    startedAt: row.startedAt,
    targetMs: row.targetSeconds * 1000,
    dueAt: row.dueAt,
    stoppedAt: row.stoppedAt,
    pauses: row.pauses.map((p) => ({ from: new Date(p.from), to: p.to === null ? null : new Date(p.to) })),
    calendar: row.calendar,
    thresholds: row.thresholds.map((t) => ({ percent: t.percent, at: t.at === null ? null : new Date(t.at) })),
  };
}

/** Where a stored clock stands at `now`, computed over its stored plan. */
export function storedClockState(row: StoredClock, now: Date): ClockState {
  return clockState(plannedFromStored(row), now);
}

function toClock(r: Record<string, unknown>): StoredClock {
  return {
    id: r['id'] as string,
    tenantId: r['tenant_id'] as string,
    caseId: r['case_id'] as string,
    clock: r['clock'] as ClockKind,
    policyId: r['policy_id'] as string,
    severityId: r['severity_id'] as number,
    clockStart: r['clock_start'] as ClockStart,
    startedAt: date(r['started_at'])!,
    targetSeconds: r['target_seconds'] as number,
    dueAt: date(r['due_at']),
    atRiskAt: date(r['at_risk_at']),
    thresholds: r['thresholds'] as StoredThreshold[],
    pauses: r['pauses'] as StoredPause[],
    calendar: r['calendar'] as BusinessCalendar,
    escalationPolicyId: (r['escalation_policy_id'] as string | null) ?? null,
    status: r['status'] as ClockStatus,
    stoppedAt: date(r['stopped_at']),
    metAt: date(r['met_at']),
    breachedAt: date(r['breached_at']),
    breachedByMs: r['breached_by_ms'] === null || r['breached_by_ms'] === undefined ? null : Number(r['breached_by_ms']),
    acknowledgedAt: date(r['acknowledged_at']),
    acknowledgedBy: (r['acknowledged_by'] as string | null) ?? null,
    updatedAt: date(r['updated_at'])!,
  };
}

function toEscalation(r: Record<string, unknown>): StoredEscalation {
  return {
    id: r['id'] as string,
    caseId: r['case_id'] as string,
    clock: r['clock'] as ClockKind,
    threshold: r['threshold'] as number,
    level: r['level'] as number,
    escalationPolicyId: (r['escalation_policy_id'] as string | null) ?? null,
    recipients: r['recipients'] as EscalationRecipient[],
    channels: r['channels'] as string[],
    deliveries: r['deliveries'] as EscalationDelivery[],
    sentAt: date(r['sent_at']),
    acknowledgedAt: date(r['acknowledged_at']),
    acknowledgedBy: (r['acknowledged_by'] as string | null) ?? null,
  };
}

@Injectable()
export class SlaClockRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  get reader(): Queryable {
    return this.db;
  }

  transaction<T>(fn: (m: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((m) => fn(m));
  }

  /**
   * Writes a case's plan (one row per clock), keeping what was recorded once: thresholds already
   * reached, the breach, the acknowledgement. The status is the clock's state at `now`, except that a
   * recorded breach stays a breach. Returns the stored rows.
   */
  async upsertPlan(q: Queryable, tenantId: string, caseId: string, plan: CasePlan, now: Date): Promise<StoredClock[]> {
    const out: StoredClock[] = [];
    const atRisk = atRiskPercent(plan.clocks[0]?.thresholds.map((t) => t.percent) ?? []);
    for (const clock of plan.clocks) {
      const state = clockState(clock, now);
      const status: ClockStatus = state.status;
      const thresholds: StoredThreshold[] = clock.thresholds.map((t) => ({ percent: t.percent, at: iso(t.at), reachedAt: null }));
      const riskAt = atRisk === null ? null : (clock.thresholds.find((t) => t.percent === atRisk)?.at ?? null);
      const rows = await queryRows<Record<string, unknown>>(
        q,
        `INSERT INTO case_sla_clocks AS s (tenant_id, case_id, clock, policy_id, severity_id, clock_start, started_at, target_seconds, due_at, at_risk_at, thresholds, pauses, calendar,
           escalation_policy_id, status, stopped_at, met_at, breached_by_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13::jsonb, $14, $15, $16, $17, $18)
         ON CONFLICT (tenant_id, case_id, clock) DO UPDATE SET
           policy_id = EXCLUDED.policy_id, severity_id = EXCLUDED.severity_id, clock_start = EXCLUDED.clock_start, started_at = EXCLUDED.started_at,
           target_seconds = EXCLUDED.target_seconds, due_at = EXCLUDED.due_at, at_risk_at = EXCLUDED.at_risk_at,
           thresholds = (SELECT coalesce(jsonb_agg(CASE WHEN old.t ? 'percent' THEN jsonb_set(n.t, '{reachedAt}', coalesce(old.t -> 'reachedAt', 'null'::jsonb)) ELSE n.t END ORDER BY n.i), '[]'::jsonb)
                         FROM jsonb_array_elements(EXCLUDED.thresholds) WITH ORDINALITY AS n(t, i)
                         LEFT JOIN LATERAL (SELECT o.t FROM jsonb_array_elements(s.thresholds) AS o(t) WHERE o.t -> 'percent' = n.t -> 'percent' LIMIT 1) AS old ON true),
           pauses = EXCLUDED.pauses, calendar = EXCLUDED.calendar, escalation_policy_id = EXCLUDED.escalation_policy_id,
           status = CASE WHEN s.breached_at IS NOT NULL THEN 'breached' ELSE EXCLUDED.status END,
           stopped_at = EXCLUDED.stopped_at, met_at = CASE WHEN s.breached_at IS NOT NULL THEN NULL ELSE EXCLUDED.met_at END,
           breached_by_ms = CASE WHEN s.breached_at IS NOT NULL THEN greatest(coalesce(s.breached_by_ms, 0), coalesce(EXCLUDED.breached_by_ms, 0)) ELSE EXCLUDED.breached_by_ms END,
           updated_at = now()
         RETURNING s.*`,
        [
          tenantId,
          caseId,
          clock.kind,
          plan.policyId,
          plan.severityId,
          plan.clockStart,
          clock.startedAt,
          Math.round(clock.targetMs / 1000),
          clock.dueAt,
          riskAt,
          JSON.stringify(thresholds),
          JSON.stringify(clock.pauses.map((p) => ({ from: iso(p.from), to: iso(p.to) }))),
          JSON.stringify(clock.calendar),
          plan.escalationPolicyId,
          status,
          clock.stoppedAt,
          state.met ? clock.stoppedAt : null,
          state.breached ? state.breachedByMs : null,
        ],
      );
      out.push(toClock(rows[0]!));
    }
    return out;
  }

  /** A case's clocks, acknowledge, contain, resolve. */
  async listForCase(q: Queryable, tenantId: string, caseId: string): Promise<StoredClock[]> {
    const rows = await queryRows<Record<string, unknown>>(
      q,
      `SELECT * FROM case_sla_clocks WHERE tenant_id = $1 AND case_id = $2 ORDER BY array_position(ARRAY['acknowledge','contain','resolve'], clock)`,
      [tenantId, caseId],
    );
    return rows.map(toClock);
  }

  /** One clock of a case, optionally locked for an update that depends on it. */
  async get(q: Queryable, tenantId: string, caseId: string, clock: ClockKind, lock = false): Promise<StoredClock | null> {
    const rows = await queryRows<Record<string, unknown>>(q, `SELECT * FROM case_sla_clocks WHERE tenant_id = $1 AND case_id = $2 AND clock = $3${lock ? ' FOR UPDATE' : ''}`, [
      tenantId,
      caseId,
      clock,
    ]);
    return rows[0] ? toClock(rows[0]) : null;
  }

  /** Records that a clock reached a threshold; true only the first time (so its line and pages happen once). */
  async recordThreshold(q: Queryable, tenantId: string, caseId: string, clock: ClockKind, percent: number, reachedAt: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      q,
      `UPDATE case_sla_clocks s SET thresholds = (
           SELECT jsonb_agg(CASE WHEN (t -> 'percent')::int = $4 AND t -> 'reachedAt' = 'null'::jsonb THEN jsonb_set(t, '{reachedAt}', to_jsonb($5::text)) ELSE t END ORDER BY i)
             FROM jsonb_array_elements(s.thresholds) WITH ORDINALITY AS x(t, i)), updated_at = now()
         WHERE s.tenant_id = $1 AND s.case_id = $2 AND s.clock = $3
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(s.thresholds) t WHERE (t -> 'percent')::int = $4 AND t -> 'reachedAt' = 'null'::jsonb)
         RETURNING s.id`,
      [tenantId, caseId, clock, percent, reachedAt.toISOString()],
    );
    return rows.length > 0;
  }

  /** Records a clock's breach; true only the first time (one breach line, one metric, one audit entry). */
  async recordBreach(q: Queryable, tenantId: string, caseId: string, clock: ClockKind, breachedAt: Date, breachedByMs: number): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      q,
      `UPDATE case_sla_clocks SET breached_at = $4, status = 'breached', met_at = NULL, breached_by_ms = greatest(coalesce(breached_by_ms, 0), $5), updated_at = now()
         WHERE tenant_id = $1 AND case_id = $2 AND clock = $3 AND breached_at IS NULL RETURNING id`,
      [tenantId, caseId, clock, breachedAt, Math.round(breachedByMs)],
    );
    return rows.length > 0;
  }

  /** Records that a clock was met at `metAt` (the plan's upsert does this too; for callers that learn it alone). */
  async recordMet(q: Queryable, tenantId: string, caseId: string, clock: ClockKind, metAt: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      q,
      `UPDATE case_sla_clocks SET met_at = $4, stopped_at = coalesce(stopped_at, $4), status = 'met', updated_at = now()
         WHERE tenant_id = $1 AND case_id = $2 AND clock = $3 AND breached_at IS NULL AND met_at IS NULL RETURNING id`,
      [tenantId, caseId, clock, metAt],
    );
    return rows.length > 0;
  }

  /**
   * Acknowledges a clock's paging (stops further levels; the clock itself keeps counting). Returns
   * the clock when this call acknowledged it, null when it was acknowledged already or does not exist.
   */
  async acknowledge(q: Queryable, tenantId: string, caseId: string, clock: ClockKind, by: string, at: Date): Promise<StoredClock | null> {
    const rows = await queryRows<Record<string, unknown>>(
      q,
      `UPDATE case_sla_clocks SET acknowledged_at = $4, acknowledged_by = $5, updated_at = now()
         WHERE tenant_id = $1 AND case_id = $2 AND clock = $3 AND acknowledged_at IS NULL RETURNING *`,
      [tenantId, caseId, clock, at, by],
    );
    if (!rows[0]) return null;
    await q.query(`UPDATE sla_escalations SET acknowledged_at = $4, acknowledged_by = $5 WHERE tenant_id = $1 AND case_id = $2 AND clock = $3 AND acknowledged_at IS NULL`, [
      tenantId,
      caseId,
      clock,
      at,
      by,
    ]);
    return toClock(rows[0]);
  }

  /** Breached clocks of the tenant, most overdue first. */
  async breached(q: Queryable, tenantId: string, limit = 100): Promise<StoredClock[]> {
    const rows = await queryRows<Record<string, unknown>>(
      q,
      `SELECT * FROM case_sla_clocks WHERE tenant_id = $1 AND status = 'breached' ORDER BY due_at, case_id, clock LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map(toClock);
  }

  /** Running clocks of the tenant past their at-risk threshold and not yet due at `now`, soonest due first. */
  async atRisk(q: Queryable, tenantId: string, now: Date, limit = 100): Promise<StoredClock[]> {
    const rows = await queryRows<Record<string, unknown>>(
      q,
      `SELECT * FROM case_sla_clocks WHERE tenant_id = $1 AND stopped_at IS NULL AND status = 'running' AND at_risk_at <= $2 AND due_at > $2 ORDER BY due_at, case_id, clock LIMIT $3`,
      [tenantId, now, limit],
    );
    return rows.map(toClock);
  }

  /** Open clocks of the tenant by due time (an open hold, no due instant, comes last). */
  async openByDue(q: Queryable, tenantId: string, limit = 100): Promise<StoredClock[]> {
    const rows = await queryRows<Record<string, unknown>>(
      q,
      `SELECT * FROM case_sla_clocks WHERE tenant_id = $1 AND stopped_at IS NULL ORDER BY due_at NULLS LAST, case_id, clock LIMIT $2`,
      [tenantId, limit],
    );
    return rows.map(toClock);
  }

  /** Claims the page of one level at one threshold; null when it was claimed before (each page happens once). */
  async claimPage(
    q: Queryable,
    tenantId: string,
    page: { caseId: string; clock: ClockKind; threshold: number; level: number; escalationPolicyId: string | null; channels: string[]; recipients: EscalationRecipient[] },
  ): Promise<StoredEscalation | null> {
    const rows = await queryRows<Record<string, unknown>>(
      q,
      `INSERT INTO sla_escalations (tenant_id, case_id, clock, threshold, level, escalation_policy_id, channels, recipients) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
         ON CONFLICT (tenant_id, case_id, clock, threshold, level) DO NOTHING RETURNING *`,
      [tenantId, page.caseId, page.clock, page.threshold, page.level, page.escalationPolicyId, page.channels, JSON.stringify(page.recipients)],
    );
    return rows[0] ? toEscalation(rows[0]) : null;
  }

  /** One page, whether sent or not. */
  async getPage(q: Queryable, tenantId: string, caseId: string, clock: ClockKind, threshold: number, level: number): Promise<StoredEscalation | null> {
    const rows = await queryRows<Record<string, unknown>>(
      q,
      `SELECT * FROM sla_escalations WHERE tenant_id = $1 AND case_id = $2 AND clock = $3 AND threshold = $4 AND level = $5`,
      [tenantId, caseId, clock, threshold, level],
    );
    return rows[0] ? toEscalation(rows[0]) : null;
  }

  /** Marks a claimed page sent, with how each channel went; false when it was marked before. */
  async markPageSent(q: Queryable, tenantId: string, id: string, deliveries: EscalationDelivery[], sentAt: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      q,
      `UPDATE sla_escalations SET deliveries = $3::jsonb, sent_at = $4 WHERE tenant_id = $1 AND id = $2 AND sent_at IS NULL RETURNING id`,
      [tenantId, id, JSON.stringify(deliveries), sentAt],
    );
    return rows.length > 0;
  }

  /** Stops a case's open clocks at `at` (a case merged into another): met unless already breached. */
  async stopOpen(q: Queryable, tenantId: string, caseId: string, at: Date): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      q,
      `UPDATE case_sla_clocks SET stopped_at = $3, status = CASE WHEN breached_at IS NOT NULL THEN 'breached' ELSE 'met' END,
              met_at = CASE WHEN breached_at IS NOT NULL THEN NULL ELSE $3 END, updated_at = now()
         WHERE tenant_id = $1 AND case_id = $2 AND stopped_at IS NULL RETURNING id`,
      [tenantId, caseId, at],
    );
    return rows.length;
  }

  /** A case's pages, oldest first. */
  async listPages(q: Queryable, tenantId: string, caseId: string): Promise<StoredEscalation[]> {
    const rows = await queryRows<Record<string, unknown>>(q, `SELECT * FROM sla_escalations WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, clock, threshold, level`, [
      tenantId,
      caseId,
    ]);
    return rows.map(toEscalation);
  }

  /** Ids of the tenant's cases with an open clock, after `afterCaseId`, in batches (for re-planning on a policy change). */
  async casesWithOpenClocks(q: Queryable, tenantId: string, afterCaseId: string | null, limit: number): Promise<string[]> {
    const rows = await queryRows<{ case_id: string }>(
      q,
      `SELECT DISTINCT case_id FROM case_sla_clocks WHERE tenant_id = $1 AND stopped_at IS NULL AND ($2::uuid IS NULL OR case_id > $2::uuid) ORDER BY case_id LIMIT $3`,
      [tenantId, afterCaseId, limit],
    );
    return rows.map((r) => r.case_id);
  }
}
