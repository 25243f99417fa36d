import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { queryRows } from '../persistence/query-rows.js';
import { caseListSql } from './case-list.query.js';
import type { CaseDetailRow, CaseRow, CommentRow, TaskRow } from './case-rows.js';
import type { ListCasesQuery } from './case.schemas.js';

/** The transaction a case write runs in; timeline lines and audit rows go into the same one. */
export type CaseTransaction = EntityManager;

export const CASE_ROW_COLUMNS = 'id, title, status, severity_id, source, assignee, tags, alert_count, resolution, merged_into, run_status, created_at, updated_at, last_alert_at';

const TASK_COLUMNS = 'id, title, assignee, done, created_by, created_at, updated_at, done_at';

/** The SQL of a case view (each takes tenant id and case id); the benchmark runs the same text as its baseline. */
export const CASE_DETAIL_SQL = {
  case: `SELECT ${CASE_ROW_COLUMNS}, playbook_id, playbook_version, playbook_hash, workflow_id FROM cases WHERE tenant_id = $1 AND id = $2`,
  alerts: `SELECT id, source, source_uid AS "sourceUid", title, severity_id AS "severityId", event_time AS "time", count,
                first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", join_reason AS "joinReason",
                observables, finding->'finding_info'->'attacks' AS attacks
         FROM alerts WHERE tenant_id = $1 AND case_id = $2 ORDER BY first_seen_at, id`,
  events: `SELECT id, at, actor, kind, step_id AS "stepId", message, data FROM case_events WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id`,
  comments: `SELECT id, author, body, created_at FROM case_comments WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id`,
  tasks: `SELECT ${TASK_COLUMNS} FROM case_tasks WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id`,
} as const;

/** What an analyst's PATCH leaves the case with. */
export interface CaseFields {
  status: string;
  resolution: string | null;
  severityId: number;
  assignee: string | null;
  tags: string[];
}

/**
 * The SQL of cases, their comments and tasks, for the API. Every query is scoped by tenant. Methods
 * taking a CaseTransaction run in it (see `transaction`); the others run on their own.
 */
@Injectable()
export class CasesRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  transaction<T>(work: (m: CaseTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** One page of the case list and one row more, each with its sort-key columns (see caseListSql). */
  list(tenantId: string, query: ListCasesQuery): Promise<Array<CaseRow & Record<string, unknown>>> {
    const { sql, params } = caseListSql(tenantId, query);
    return this.db.query(sql, params);
  }

  async row(tenantId: string, id: string): Promise<CaseRow | undefined> {
    const rows: CaseRow[] = await this.db.query(`SELECT ${CASE_ROW_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows[0];
  }

  async detail(tenantId: string, id: string): Promise<CaseDetailRow | undefined> {
    const rows: CaseDetailRow[] = await this.db.query(CASE_DETAIL_SQL.case, [tenantId, id]);
    return rows[0];
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return rows.length > 0;
  }

  /** The case's alerts as a case view shows them, in the order they arrived. */
  alerts(tenantId: string, caseId: string): Promise<Array<Record<string, unknown>>> {
    return this.db.query(CASE_DETAIL_SQL.alerts, [tenantId, caseId]);
  }

  timeline(tenantId: string, caseId: string): Promise<Array<Record<string, unknown>>> {
    return this.db.query(CASE_DETAIL_SQL.events, [tenantId, caseId]);
  }

  comments(tenantId: string, caseId: string): Promise<CommentRow[]> {
    return this.db.query(CASE_DETAIL_SQL.comments, [tenantId, caseId]);
  }

  tasks(tenantId: string, caseId: string): Promise<TaskRow[]> {
    return this.db.query(CASE_DETAIL_SQL.tasks, [tenantId, caseId]);
  }

  /** Locks the case row for the rest of the transaction. */
  async lock(m: CaseTransaction, tenantId: string, caseId: string): Promise<CaseRow | undefined> {
    const rows = await queryRows<CaseRow>(m, `SELECT ${CASE_ROW_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, caseId]);
    return rows[0];
  }

  /** The highest severity among the case's alerts (99, "other", counts as 0). */
  async alertSeverityFloor(m: CaseTransaction, tenantId: string, caseId: string): Promise<number> {
    const floor = await queryRows<{ minimum: number }>(
      m,
      `SELECT COALESCE(max(CASE WHEN severity_id = 99 THEN 0 ELSE severity_id END), 0)::int AS minimum FROM alerts WHERE tenant_id = $1 AND case_id = $2`,
      [tenantId, caseId],
    );
    return floor[0]?.minimum ?? 0;
  }

  async update(m: CaseTransaction, tenantId: string, caseId: string, next: CaseFields): Promise<CaseRow> {
    const updated = await queryRows<CaseRow>(
      m,
      `UPDATE cases SET status = $3, resolution = $4, severity_id = $5, assignee = $6, tags = $7::text[], updated_at = now()
         WHERE tenant_id = $1 AND id = $2
         RETURNING id, title, status, severity_id, source, assignee, tags, alert_count, resolution, merged_into, run_status, created_at, updated_at`,
      [tenantId, caseId, next.status, next.resolution, next.severityId, next.assignee, next.tags],
    );
    return updated[0]!;
  }

  /** Moves alerts, timeline, comments and tasks of case `fromId` to case `toId`; returns the ids of the alerts moved. */
  async moveContents(m: CaseTransaction, tenantId: string, fromId: string, toId: string): Promise<string[]> {
    const moved = await queryRows<{ id: string }>(m, `UPDATE alerts SET case_id = $3 WHERE tenant_id = $1 AND case_id = $2 RETURNING id`, [tenantId, fromId, toId]);
    await m.query(`UPDATE case_events SET case_id = $3 WHERE tenant_id = $1 AND case_id = $2`, [tenantId, fromId, toId]);
    await m.query(`UPDATE case_comments SET case_id = $3 WHERE tenant_id = $1 AND case_id = $2`, [tenantId, fromId, toId]);
    await m.query(`UPDATE case_tasks SET case_id = $3 WHERE tenant_id = $1 AND case_id = $2`, [tenantId, fromId, toId]);
    return moved.map((a) => a.id);
  }

  /** The surviving case of a merge takes the absorbed case's alert count, severity, latest alert time and tags. */
  async absorb(
    m: CaseTransaction,
    tenantId: string,
    survivorId: string,
    absorbed: { alertsMoved: number; severityId: number; lastAlertAt: Date | undefined; tags: string[] },
  ): Promise<CaseRow> {
    const rows = await queryRows<CaseRow>(
      m,
      `UPDATE cases SET alert_count = alert_count + $3, severity_id = GREATEST(severity_id, $4), last_alert_at = GREATEST(last_alert_at, $5),
                tags = ARRAY(SELECT DISTINCT unnest(tags || $6::text[])), updated_at = now()
         WHERE tenant_id = $1 AND id = $2
         RETURNING id, title, status, severity_id, source, assignee, tags, alert_count, resolution, merged_into, run_status, created_at, updated_at`,
      [tenantId, survivorId, absorbed.alertsMoved, absorbed.severityId, absorbed.lastAlertAt, absorbed.tags],
    );
    return rows[0]!;
  }

  /** Closes a case absorbed by a merge. */
  async closeMerged(m: CaseTransaction, tenantId: string, caseId: string, resolution: string, intoId: string): Promise<CaseRow> {
    const rows = await queryRows<CaseRow>(
      m,
      `UPDATE cases SET status = 'closed', resolution = $3, merged_into = $4, alert_count = 0, updated_at = now()
         WHERE tenant_id = $1 AND id = $2
         RETURNING id, title, status, severity_id, source, assignee, tags, alert_count, resolution, merged_into, run_status, created_at, updated_at`,
      [tenantId, caseId, resolution, intoId],
    );
    return rows[0]!;
  }

  /** Marks the case changed now (a comment or task changed under it). */
  async touch(m: CaseTransaction, tenantId: string, caseId: string): Promise<void> {
    await m.query(`UPDATE cases SET updated_at = now() WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId]);
  }

  async addComment(m: CaseTransaction, tenantId: string, caseId: string, author: string, body: string): Promise<CommentRow> {
    const rows = await queryRows<CommentRow>(
      m,
      `INSERT INTO case_comments (tenant_id, case_id, author, body, created_at) VALUES ($1, $2, $3, $4, clock_timestamp()) RETURNING id, author, body, created_at`,
      [tenantId, caseId, author, body],
    );
    return rows[0]!;
  }

  async addTask(m: CaseTransaction, tenantId: string, caseId: string, task: { title: string; assignee: string | null; createdBy: string }): Promise<TaskRow> {
    const rows = await queryRows<TaskRow>(
      m,
      `INSERT INTO case_tasks (tenant_id, case_id, title, assignee, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp()) RETURNING ${TASK_COLUMNS}`,
      [tenantId, caseId, task.title, task.assignee, task.createdBy],
    );
    return rows[0]!;
  }

  /** Locks one task of the case for the rest of the transaction. */
  async lockTask(m: CaseTransaction, tenantId: string, caseId: string, taskId: string): Promise<TaskRow | undefined> {
    const rows = await queryRows<TaskRow>(m, `SELECT ${TASK_COLUMNS} FROM case_tasks WHERE tenant_id = $1 AND case_id = $2 AND id = $3 FOR UPDATE`, [tenantId, caseId, taskId]);
    return rows[0];
  }

  /** Sets a task's fields; `done_at` is stamped when it becomes done and cleared when reopened. */
  async updateTask(m: CaseTransaction, tenantId: string, caseId: string, taskId: string, task: { title: string; assignee: string | null; done: boolean }): Promise<TaskRow> {
    const rows = await queryRows<TaskRow>(
      m,
      `UPDATE case_tasks SET title = $4, assignee = $5, done = $6, done_at = CASE WHEN $6 THEN COALESCE(done_at, clock_timestamp()) ELSE NULL END, updated_at = clock_timestamp()
         WHERE tenant_id = $1 AND case_id = $2 AND id = $3 RETURNING ${TASK_COLUMNS}`,
      [tenantId, caseId, taskId, task.title, task.assignee, task.done],
    );
    return rows[0]!;
  }
}
