import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';
import { type BusinessCalendar, workingTimeBetween } from '../sla/index.js';
import type { SlaBucket } from './sla-figures.schemas.js';

/** Which clocks: one tenant's (or every tenant's), started in [from, to). */
export interface FiguresScope {
  tenantId: string | null;
  from: Date;
  to: Date;
}

/** One aggregate row: a clock kind, and either nothing more (totals), a severity, or a period. */
export interface FiguresRow {
  grp: 'total' | 'severity' | 'period';
  clock: string;
  severity_id: number | null;
  period: string | null;
  period_start: Date | null;
  total: string;
  open: string;
  met: string;
  breached: string;
  p50: number | null;
  p90: number | null;
}

const BATCH = 1000;

/**
 * The SQL of the SLA figures over `case_sla_clocks`. Percentiles of working time need each met
 * clock's calendar arithmetic, which PostgreSQL cannot do; `fillElapsed` computes it once per stopped
 * clock into `sla_clock_elapsed`, then everything is one aggregate statement.
 */
@Injectable()
export class SlaFiguresRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** The tenant's zone: the zone of the business calendar its SLA policies name most (ties by name), or null. */
  async tenantZone(tenantId: string): Promise<string | null> {
    const rows = await queryRows<{ time_zone: string }>(
      this.db,
      `SELECT k.time_zone FROM sla_policies p JOIN sla_calendars k ON k.id = p.calendar_id
        WHERE p.tenant_id = $1 GROUP BY k.time_zone ORDER BY count(*) DESC, k.time_zone LIMIT 1`,
      [tenantId],
    );
    return rows[0]?.time_zone ?? null;
  }

  /** Computes the working time of every stopped clock in scope that has none yet (or one for an older stop). */
  async fillElapsed(scope: FiguresScope): Promise<number> {
    let filled = 0;
    for (;;) {
      const rows = await queryRows<{
        id: string;
        tenant_id: string;
        started_at: Date;
        stopped_at: Date;
        calendar: BusinessCalendar;
        pauses: Array<{ from: string; to: string | null }>;
      }>(
        this.db,
        `SELECT c.id, c.tenant_id, c.started_at, c.stopped_at, c.calendar, c.pauses
           FROM case_sla_clocks c LEFT JOIN sla_clock_elapsed e ON e.clock_id = c.id
          WHERE ($1::uuid IS NULL OR c.tenant_id = $1::uuid) AND c.started_at >= $2 AND c.started_at < $3
            AND c.stopped_at IS NOT NULL AND (e.clock_id IS NULL OR e.stopped_at <> c.stopped_at)
          LIMIT ${BATCH}`,
        [scope.tenantId, scope.from, scope.to],
      );
      if (rows.length === 0) return filled;
      const values = rows.map((r) => ({
        clock_id: r.id,
        tenant_id: r.tenant_id,
        stopped_at: new Date(r.stopped_at).toISOString(),
        elapsed_ms: Math.max(
          0,
          Math.round(
            workingTimeBetween(
              new Date(r.started_at),
              new Date(r.stopped_at),
              r.calendar,
              r.pauses.map((p) => ({ from: new Date(p.from), to: p.to === null ? null : new Date(p.to) })),
            ),
          ),
        ),
      }));
      await this.db.query(
        `INSERT INTO sla_clock_elapsed (clock_id, tenant_id, stopped_at, elapsed_ms)
         SELECT clock_id, tenant_id, stopped_at, elapsed_ms FROM jsonb_to_recordset($1::jsonb) AS v(clock_id uuid, tenant_id uuid, stopped_at timestamptz, elapsed_ms bigint)
         ON CONFLICT (clock_id) DO UPDATE SET stopped_at = EXCLUDED.stopped_at, elapsed_ms = EXCLUDED.elapsed_ms`,
        [JSON.stringify(values)],
      );
      filled += rows.length;
      if (rows.length < BATCH) return filled;
    }
  }

  /**
   * Counts and percentiles per clock kind, per (clock, severity) and, with a bucket, per (clock,
   * period), in one pass (GROUPING SETS). Breached = recorded, or open and past due at `now`.
   */
  async aggregate(scope: FiguresScope, bucket: SlaBucket | null, timeZone: string, now: Date): Promise<FiguresRow[]> {
    // The zone is bound only when periods are asked for (an unused parameter has no type PostgreSQL could infer).
    const local = `date_trunc('${bucket ?? 'day'}', c.started_at AT TIME ZONE $5::text)`;
    const sets = ['(c.clock)', '(c.clock, c.severity_id)', ...(bucket ? [`(c.clock, ${local})`] : [])].join(', ');
    return queryRows<FiguresRow>(
      this.db,
      `WITH k AS (
         SELECT c.clock, c.severity_id, c.started_at, e.elapsed_ms,
                (c.status = 'breached' OR (c.stopped_at IS NULL AND coalesce(c.due_at <= $4, false))) AS is_breached,
                (c.status = 'met') AS is_met
           FROM case_sla_clocks c LEFT JOIN sla_clock_elapsed e ON e.clock_id = c.id AND e.stopped_at = c.stopped_at
          WHERE ($1::uuid IS NULL OR c.tenant_id = $1::uuid) AND c.started_at >= $2 AND c.started_at < $3
       )
       SELECT CASE WHEN GROUPING(c.severity_id) = 0 THEN 'severity' WHEN ${bucket ? `GROUPING(${local}) = 0` : 'false'} THEN 'period' ELSE 'total' END AS grp,
              c.clock, c.severity_id,
              ${bucket ? `to_char(${local}, 'YYYY-MM-DD')` : 'NULL'} AS period,
              ${bucket ? `(${local}) AT TIME ZONE $5::text` : 'NULL::timestamptz'} AS period_start,
              count(*)::text AS total,
              count(*) FILTER (WHERE NOT c.is_breached AND NOT c.is_met)::text AS open,
              count(*) FILTER (WHERE c.is_met AND NOT c.is_breached)::text AS met,
              count(*) FILTER (WHERE c.is_breached)::text AS breached,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY c.elapsed_ms) FILTER (WHERE c.is_met AND NOT c.is_breached) AS p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY c.elapsed_ms) FILTER (WHERE c.is_met AND NOT c.is_breached) AS p90
         FROM k AS c
        GROUP BY GROUPING SETS (${sets})
        ORDER BY grp, c.severity_id DESC NULLS LAST, period NULLS LAST, c.clock`,
      [scope.tenantId, scope.from, scope.to, now, ...(bucket ? [timeZone] : [])],
    );
  }
}
