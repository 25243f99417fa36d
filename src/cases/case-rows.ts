import type { EntityManager } from 'typeorm';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { queryRows } from '../persistence/query-rows.js';
import type { CaseStatus } from './case-lifecycle.js';
import { type CaseSummary, severityWord } from './case.schemas.js';

export const CASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CaseRow {
  id: string;
  title: string;
  status: CaseStatus;
  severity_id: number;
  source: string;
  assignee: string | null;
  tags: string[];
  alert_count: number;
  resolution: string | null;
  merged_into: string | null;
  run_status: string;
  created_at: Date;
  updated_at: Date;
  last_alert_at?: Date;
}

export const CASE_ROW_COLUMNS =
  'id, title, status, severity_id, source, assignee, tags, alert_count, resolution, merged_into, run_status, created_at, updated_at, last_alert_at';

export function caseSummaryOf(r: CaseRow): CaseSummary {
  return {
    id: r.id,
    title: r.title,
    status: r.status,
    severity: severityWord(Number(r.severity_id)),
    severityId: Number(r.severity_id),
    source: r.source,
    assignee: r.assignee,
    tags: r.tags ?? [],
    alertCount: Number(r.alert_count),
    resolution: r.resolution,
    mergedInto: r.merged_into,
    runStatus: r.run_status,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/**
 * Locks a case of the tenant for the rest of the transaction; another tenant's case, or no case,
 * is not found. With `refuseMerged`, a case absorbed by a merge answers 409 `case_merged`.
 */
export async function lockCase(m: EntityManager, tenantId: string, caseId: string, options: { refuseMerged?: boolean } = {}): Promise<CaseRow> {
  if (!CASE_ID.test(caseId)) throw notFound('case', caseId);
  const rows = await queryRows<CaseRow>(m, `SELECT ${CASE_ROW_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, caseId]);
  const row = rows[0];
  if (!row) throw notFound('case', caseId);
  if (options.refuseMerged && row.merged_into) {
    throw new VigilError('case_merged', `case ${caseId} was merged into case ${row.merged_into}; work on that case`, { mergedInto: row.merged_into });
  }
  return row;
}
