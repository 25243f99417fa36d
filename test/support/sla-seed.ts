import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** A business calendar as stored on a clock row (the shape of `BusinessCalendar`). */
export interface SeedCalendar {
  timeZone: string;
  kind: '24x7' | 'business_hours';
  hours?: Record<string, Array<{ start: string; end: string }>>;
  holidays?: string[];
}

export const ALWAYS_OPEN_CALENDAR: SeedCalendar = { timeZone: 'UTC', kind: '24x7' };

/** Inserts a bare case (no alerts) of a tenant; returns its id. */
export async function seedCase(db: DataSource, tenantId: string, opts: { title?: string; severityId?: number; createdAt?: Date } = {}): Promise<string> {
  const id = randomUUID();
  const at = opts.createdAt ?? new Date();
  await db.query(
    `INSERT INTO cases (id, tenant_id, title, severity_id, fingerprint, source, workflow_id, created_at, updated_at, last_alert_at) VALUES ($1, $2, $3, $4, $5, 'generic', $6, $7, $7, $7)`,
    [id, tenantId, opts.title ?? `Seeded ${id.slice(0, 8)}`, opts.severityId ?? 4, `fp-${id}`, `case-${id}`, at],
  );
  return id;
}

export interface SeedClock {
  tenantId: string;
  caseId: string;
  clock: 'acknowledge' | 'contain' | 'resolve';
  severityId?: number;
  startedAt: Date;
  targetSeconds: number;
  status: 'running' | 'paused' | 'met' | 'breached';
  dueAt?: Date | null;
  atRiskAt?: Date | null;
  stoppedAt?: Date | null;
  metAt?: Date | null;
  breachedAt?: Date | null;
  breachedByMs?: number | null;
  calendar?: SeedCalendar;
  pauses?: Array<{ from: string; to: string | null }>;
}

/** Inserts one `case_sla_clocks` row as the clock workflow would have stored it; due instant defaults to start + target (24/7). */
export async function seedClock(db: DataSource, c: SeedClock): Promise<void> {
  const dueAt = c.dueAt === undefined ? new Date(c.startedAt.getTime() + c.targetSeconds * 1000) : c.dueAt;
  const atRiskAt = c.atRiskAt === undefined ? new Date(c.startedAt.getTime() + c.targetSeconds * 800) : c.atRiskAt;
  await db.query(
    `INSERT INTO case_sla_clocks (tenant_id, case_id, clock, policy_id, severity_id, clock_start, started_at, target_seconds, due_at, at_risk_at, thresholds, pauses, calendar,
       status, stopped_at, met_at, breached_at, breached_by_ms)
     VALUES ($1, $2, $3, $4, $5, 'received', $6, $7, $8, $9, '[]'::jsonb, $10::jsonb, $11::jsonb, $12, $13, $14, $15, $16)`,
    [
      c.tenantId,
      c.caseId,
      c.clock,
      randomUUID(),
      c.severityId ?? 4,
      c.startedAt,
      c.targetSeconds,
      dueAt,
      atRiskAt,
      JSON.stringify(c.pauses ?? []),
      JSON.stringify(c.calendar ?? ALWAYS_OPEN_CALENDAR),
      c.status,
      c.stoppedAt ?? c.metAt ?? null,
      c.metAt ?? null,
      c.breachedAt ?? null,
      c.breachedByMs ?? null,
    ],
  );
}
