import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VigilError } from '../common/errors/vigil-error.js';
import type { CanonicalObservable } from '../common/canonical-alert.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';
import type { AlertChange } from './alerts.repository.js';
import type { ListAlertsQuery } from './alert-read.schemas.js';

/**
 * The expressions the read filters match on; migration 1764900000000 indexes exactly these (GIN), so keep
 * the spelling. When the alert row gets its own observables column, the observable filter switches here
 * (and in a migration indexing `vigil_observable_keys(observables)`), nowhere else.
 */
export const OBSERVABLE_KEYS = `vigil_observable_keys(tenant_id, finding->'observables')`;
export const FINDING_KEYS = `vigil_alert_finding_keys(tenant_id, finding)`;
/** A key as the indexes spell it, `<tenant>|<key>` (see the migration); `$1` is always the tenant. */
const tenantKey = (key: string): string => `$1::uuid::text || '|' || ${key}`;

/** Newest event first; the id breaks ties, so the order is total and a cursor never skips nor repeats a row. */
const CURSOR_KIND = 'alerts:event_time:desc';
const TIMESTAMPTZ_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const SUMMARY_COLUMNS = `id, source, source_uid, title, severity_id, event_time, first_seen_at, last_seen_at, count, case_id, fingerprint,
  CASE WHEN jsonb_typeof(finding->'finding_info'->'analytic') = 'object' THEN finding->'finding_info'->'analytic' END AS analytic`;

export interface AlertSummaryRow {
  id: string;
  source: string;
  source_uid: string;
  title: string;
  severity_id: number;
  event_time: Date;
  first_seen_at: Date;
  last_seen_at: Date;
  count: number;
  case_id: string;
  fingerprint: string;
  analytic: { uid?: unknown; name?: unknown } | null;
}

/** A list row with its sort key as PostgreSQL text (k0 event time with microseconds, k1 id). */
export type AlertListRow = AlertSummaryRow & { k0: string; k1: string };

export interface AlertDetailRow extends AlertSummaryRow {
  finding: Record<string, unknown>;
  observables: CanonicalObservable[] | null;
  raw: unknown;
  join_reason: Record<string, unknown>;
  changes: AlertChange[];
}

export interface AlertListSql {
  sql: string;
  params: unknown[];
}

/**
 * The SQL of one page of `GET /api/v1/alerts`: every filter a bound parameter, scoped by tenant; keyset
 * pagination on (event_time, id) descending, one row more than the page to know whether another follows.
 */
export function alertListSql(tenantId: string, q: ListAlertsQuery): AlertListSql {
  const where = ['tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  // One source as `=`, so (tenant_id, source, event_time, id) serves the order too (PostgreSQL 15 reads an index
  // in order only without `= ANY`); several as `= ANY`.
  if (q.source?.length === 1) where.push(`source = ${bind(q.source[0])}`);
  else if (q.source) where.push(`source = ANY(${bind(q.source)}::text[])`);
  if (q.from) where.push(`event_time >= ${bind(q.from)}::timestamptz`);
  if (q.to) where.push(`event_time < ${bind(q.to)}::timestamptz`);
  // 99 (other) has no rank: only minSeverity=0 (everything) lets it through.
  if (q.minSeverity !== undefined && q.minSeverity > 0) where.push(`severity_id BETWEEN ${bind(q.minSeverity)} AND 6`);
  if (q.case) where.push(`case_id = ${bind(q.case)}::uuid`);
  if (q.observable !== undefined) {
    const v = bind(q.observable);
    where.push(`${OBSERVABLE_KEYS} && ARRAY[${tenantKey(`'cs:' || ${v}::text`)}, ${tenantKey(`'ci:' || lower(${v}::text)`)}]`);
  }
  const findingKeys: string[] = [];
  if (q.attack) findingKeys.push(`attack:${q.attack}`);
  if (q.rule !== undefined) findingKeys.push(`rule:${q.rule}`);
  if (findingKeys.length > 0) where.push(`${FINDING_KEYS} @> ARRAY[${findingKeys.map((k) => tenantKey(`${bind(k)}::text`)).join(', ')}]`);
  if (q.cursor) {
    const values = decodeCursor(q.cursor, CURSOR_KIND).values;
    const [time, id] = values;
    if (values.length !== 2 || typeof time !== 'string' || typeof id !== 'string' || !TIMESTAMPTZ_TEXT.test(time) || !UUID_TEXT.test(id)) {
      throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
    }
    where.push(`(event_time, id) < (${bind(time)}::timestamptz, ${bind(id)}::uuid)`);
  }
  const sql = `SELECT ${SUMMARY_COLUMNS}, event_time::text AS k0, id::text AS k1 FROM alerts WHERE ${where.join(' AND ')}
    ORDER BY event_time DESC, id DESC LIMIT ${bind(q.limit + 1)}`;
  return { sql, params };
}

/** The cursor that continues after `row`. */
export function nextAlertCursor(row: { k0: string; k1: string }): string {
  return encodeCursor(CURSOR_KIND, [row.k0, row.k1]);
}

export const ALERT_DETAIL_SQL = `SELECT ${SUMMARY_COLUMNS}, finding, observables, raw, join_reason, changes FROM alerts WHERE tenant_id = $1 AND id = $2`;

/** The SQL of reading alerts (the ingest writes are in alerts.repository.ts). Every query is scoped by tenant. */
@Injectable()
export class AlertQueriesRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** One page of the alert list and one row more (see alertListSql). */
  list(tenantId: string, query: ListAlertsQuery): Promise<AlertListRow[]> {
    const { sql, params } = alertListSql(tenantId, query);
    return this.db.query(sql, params);
  }

  async detail(tenantId: string, id: string): Promise<AlertDetailRow | undefined> {
    const rows: AlertDetailRow[] = await this.db.query(ALERT_DETAIL_SQL, [tenantId, id]);
    return rows[0];
  }
}
