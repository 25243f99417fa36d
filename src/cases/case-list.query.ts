import { VigilError } from '../common/errors/vigil-error.js';
import { decodeCursor, encodeCursor } from '../common/http/cursor.js';
import { SLA_CASE_FILTERS } from '../sla/index.js';
import type { CaseSort, ListCasesQuery } from './case.schemas.js';

/** The case's earliest open due instant; `infinity` when none, so the keyset never compares a NULL. */
const SLA_DUE = `coalesce(${SLA_CASE_FILTERS.nextDue}, 'infinity'::timestamptz)`;

/** Keyset columns per sort; the last is always the id, so equal keys still have one order. */
const SORT_KEYS: Readonly<Record<CaseSort, ReadonlyArray<{ column: string; cast: string }>>> = {
  created_at: [
    { column: 'created_at', cast: 'timestamptz' },
    { column: 'id', cast: 'uuid' },
  ],
  updated_at: [
    { column: 'updated_at', cast: 'timestamptz' },
    { column: 'id', cast: 'uuid' },
  ],
  severity: [
    { column: 'severity_id', cast: 'smallint' },
    { column: 'created_at', cast: 'timestamptz' },
    { column: 'id', cast: 'uuid' },
  ],
  sla_due: [
    { column: SLA_DUE, cast: 'timestamptz' },
    { column: 'id', cast: 'uuid' },
  ],
};

/** What a sort key looks like as PostgreSQL text; a cursor whose values do not match is refused before any SQL runs. */
const KEY_FORMATS: Readonly<Record<string, RegExp>> = {
  timestamptz: /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}|infinity)$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  smallint: /^\d{1,2}$/,
};

export const CASE_LIST_COLUMNS = 'id, title, status, severity_id, source, assignee, tags, alert_count, resolution, merged_into, run_status, created_at, updated_at';

export interface CaseListSql {
  sql: string;
  params: unknown[];
}

function cursorKind(q: ListCasesQuery): string {
  return `cases:${q.sort}:${q.order}`;
}

/**
 * The SQL of one page of `GET /api/v1/cases`: tenant-scoped filters, keyset pagination on the sort
 * key plus id (fetches one row more than the page to know whether another page follows). Sort keys
 * travel in the cursor as PostgreSQL text, so timestamps keep their microseconds.
 */
export function caseListSql(tenantId: string, q: ListCasesQuery, nowMs = Date.now()): CaseListSql {
  const where = ['tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.status) where.push(`status = ANY(${bind(q.status)}::text[])`);
  if (q.minSeverity !== undefined) where.push(`severity_id >= ${bind(q.minSeverity)}`);
  if (q.assignee !== undefined) where.push(`assignee = ${bind(q.assignee)}`);
  if (q.tag) where.push(`tags @> ${bind(q.tag)}::text[]`);
  if (q.source) where.push(`source = ANY(${bind(q.source)}::text[])`);
  if (q.createdFrom) where.push(`created_at >= ${bind(q.createdFrom)}::timestamptz`);
  if (q.createdTo) where.push(`created_at < ${bind(q.createdTo)}::timestamptz`);
  if (q.q) where.push(`title ILIKE ${bind(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (q.sla) {
    // One instant for the whole statement, bound once: "due" and "at risk" are judged at the same now.
    const now = bind(new Date(nowMs).toISOString());
    where.push(q.sla === 'breached' ? SLA_CASE_FILTERS.breached(`${now}::timestamptz`) : SLA_CASE_FILTERS.atRisk(`${now}::timestamptz`));
  }
  const keys = SORT_KEYS[q.sort];
  const dir = q.order === 'desc' ? 'DESC' : 'ASC';
  if (q.cursor) {
    const values = decodeCursor(q.cursor, cursorKind(q)).values;
    if (values.length !== keys.length || keys.some((k, i) => typeof values[i] !== 'string' || !KEY_FORMATS[k.cast]!.test(values[i] as string))) {
      throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
    }
    const left = keys.map((k) => k.column).join(', ');
    const right = keys.map((k, i) => `${bind(String(values[i]))}::${k.cast}`).join(', ');
    where.push(`(${left}) ${q.order === 'desc' ? '<' : '>'} (${right})`);
  }
  const cursorColumns = keys.map((k, i) => `${k.column}::text AS k${i}`).join(', ');
  const slaDue = q.sort === 'sla_due' ? `, ${SLA_CASE_FILTERS.nextDue} AS sla_due_at` : '';
  const sql = `SELECT ${CASE_LIST_COLUMNS}${slaDue}, ${cursorColumns} FROM cases c WHERE ${where.join(' AND ')}
    ORDER BY ${keys.map((k) => `${k.column} ${dir}`).join(', ')} LIMIT ${bind(q.limit + 1)}`;
  return { sql, params };
}

/** The cursor that continues after `row` (which carries the k0…kn sort-key columns). */
export function nextCaseCursor(q: ListCasesQuery, row: Record<string, unknown>): string {
  return encodeCursor(
    cursorKind(q),
    SORT_KEYS[q.sort].map((_, i) => String(row[`k${i}`])),
  );
}
