import { notFound, VigilError } from '../common/errors/vigil-error.js';
import type { CaseStatus } from '../common/case-lifecycle.js';
import type { CaseTransaction } from './cases.repository.js';
import { type CaseSummary, type CommentView, severityWord, type TaskView } from './case.schemas.js';

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

/** A case row with its run's columns, for the case view. */
export interface CaseDetailRow extends CaseRow {
  playbook_id: string | null;
  playbook_version: string | null;
  playbook_hash: string | null;
  workflow_id: string;
}

export interface CommentRow {
  id: string;
  author: string;
  body: string;
  created_at: Date;
}

export interface TaskRow {
  id: string;
  title: string;
  assignee: string | null;
  done: boolean;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  done_at: Date | null;
}

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

export function commentViewOf(r: CommentRow): CommentView {
  return { id: r.id, author: r.author, body: r.body, createdAt: new Date(r.created_at).toISOString() };
}

export function taskViewOf(r: TaskRow): TaskView {
  return {
    id: r.id,
    title: r.title,
    assignee: r.assignee,
    done: r.done,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    doneAt: r.done_at ? new Date(r.done_at).toISOString() : null,
  };
}

/** The one lock a case write needs (CasesRepository has it). */
export interface CaseLocker {
  lock(m: CaseTransaction, tenantId: string, caseId: string): Promise<CaseRow | undefined>;
}

/**
 * Locks a case of the tenant for the rest of the transaction; another tenant's case, or no case,
 * is not found. With `refuseMerged`, a case absorbed by a merge answers 409 `case_merged`.
 */
export async function lockCase(cases: CaseLocker, m: CaseTransaction, tenantId: string, caseId: string, options: { refuseMerged?: boolean } = {}): Promise<CaseRow> {
  if (!CASE_ID.test(caseId)) throw notFound('case', caseId);
  const row = await cases.lock(m, tenantId, caseId);
  if (!row) throw notFound('case', caseId);
  if (options.refuseMerged && row.merged_into) {
    throw new VigilError('case_merged', `case ${caseId} was merged into case ${row.merged_into}; work on that case`, { mergedInto: row.merged_into });
  }
  return row;
}
