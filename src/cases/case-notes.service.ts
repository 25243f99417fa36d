import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { auditBy, recordAudit } from '../audit/audit.service.js';
import type { RequestOrigin } from '../audit/request-origin.js';
import { notFound } from '../common/errors/vigil-error.js';
import { queryRows } from '../persistence/query-rows.js';
import type { Principal } from '../tenants/principal.js';
import { appendCaseEvent } from './case-events.js';
import { CASE_ID, lockCase } from './case-rows.js';
import type { CommentView, PatchTaskBody, TaskView } from './case.schemas.js';
import { commentViewOf, type TaskRow, taskViewOf } from './cases.service.js';

const TASK_COLUMNS = 'id, title, assignee, done, created_by, created_at, updated_at, done_at';
/** How much of a comment the timeline line quotes. */
const QUOTE = 200;

function quote(text: string): string {
  return text.length > QUOTE ? `${text.slice(0, QUOTE - 1)}…` : text;
}

/** Comments and tasks of a case; each write adds a timeline line and one audit row. */
@Injectable()
export class CaseNotesService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  private async ensureCase(tenantId: string, caseId: string): Promise<void> {
    if (!CASE_ID.test(caseId)) throw notFound('case', caseId);
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, caseId]);
    if (rows.length === 0) throw notFound('case', caseId);
  }

  async comments(tenantId: string, caseId: string): Promise<{ items: CommentView[] }> {
    await this.ensureCase(tenantId, caseId);
    const rows: Array<{ id: string; author: string; body: string; created_at: Date }> = await this.db.query(
      `SELECT id, author, body, created_at FROM case_comments WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id`,
      [tenantId, caseId],
    );
    return { items: rows.map(commentViewOf) };
  }

  async addComment(principal: Principal, origin: RequestOrigin, caseId: string, body: string): Promise<CommentView> {
    return this.db.transaction(async (m) => {
      await lockCase(m, principal.tenantId, caseId, { refuseMerged: true });
      const rows = await queryRows<{ id: string; author: string; body: string; created_at: Date }>(
        m,
        `INSERT INTO case_comments (tenant_id, case_id, author, body, created_at) VALUES ($1, $2, $3, $4, clock_timestamp()) RETURNING id, author, body, created_at`,
        [principal.tenantId, caseId, principal.actor, body],
      );
      const comment = rows[0]!;
      await appendCaseEvent(m, { tenantId: principal.tenantId, caseId, actor: principal.actor, kind: 'comment_added', message: `comment: ${quote(body)}`, data: { commentId: comment.id } });
      await m.query(`UPDATE cases SET updated_at = now() WHERE tenant_id = $1 AND id = $2`, [principal.tenantId, caseId]);
      await recordAudit(m, auditBy(principal, origin, 'case.commented', `case:${caseId}`, { commentId: comment.id, length: body.length }));
      return commentViewOf(comment);
    });
  }

  async tasks(tenantId: string, caseId: string): Promise<{ items: TaskView[] }> {
    await this.ensureCase(tenantId, caseId);
    const rows: TaskRow[] = await this.db.query(`SELECT ${TASK_COLUMNS} FROM case_tasks WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id`, [tenantId, caseId]);
    return { items: rows.map(taskViewOf) };
  }

  async addTask(principal: Principal, origin: RequestOrigin, caseId: string, input: { title: string; assignee?: string | null }): Promise<TaskView> {
    return this.db.transaction(async (m) => {
      await lockCase(m, principal.tenantId, caseId, { refuseMerged: true });
      const rows = await queryRows<TaskRow>(
        m,
        `INSERT INTO case_tasks (tenant_id, case_id, title, assignee, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp()) RETURNING ${TASK_COLUMNS}`,
        [principal.tenantId, caseId, input.title, input.assignee ?? null, principal.actor],
      );
      const task = rows[0]!;
      await appendCaseEvent(m, {
        tenantId: principal.tenantId,
        caseId,
        actor: principal.actor,
        kind: 'task_created',
        message: `task "${task.title}" created${task.assignee ? ` for ${task.assignee}` : ''}`,
        data: { taskId: task.id, title: task.title, assignee: task.assignee },
      });
      await m.query(`UPDATE cases SET updated_at = now() WHERE tenant_id = $1 AND id = $2`, [principal.tenantId, caseId]);
      await recordAudit(m, auditBy(principal, origin, 'case.task_created', `case:${caseId}`, { taskId: task.id, title: task.title, assignee: task.assignee }));
      return taskViewOf(task);
    });
  }

  async updateTask(principal: Principal, origin: RequestOrigin, caseId: string, taskId: string, patch: PatchTaskBody): Promise<TaskView> {
    if (!CASE_ID.test(taskId)) throw notFound('task', taskId);
    return this.db.transaction(async (m) => {
      await lockCase(m, principal.tenantId, caseId, { refuseMerged: true });
      const rows = await queryRows<TaskRow>(m, `SELECT ${TASK_COLUMNS} FROM case_tasks WHERE tenant_id = $1 AND case_id = $2 AND id = $3 FOR UPDATE`, [principal.tenantId, caseId, taskId]);
      const task = rows[0];
      if (!task) throw notFound('task', taskId);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (patch.title !== undefined && patch.title !== task.title) changes['title'] = { from: task.title, to: patch.title };
      if (patch.assignee !== undefined && patch.assignee !== task.assignee) changes['assignee'] = { from: task.assignee, to: patch.assignee };
      if (patch.done !== undefined && patch.done !== task.done) changes['done'] = { from: task.done, to: patch.done };
      if (Object.keys(changes).length === 0) return taskViewOf(task);
      const updated = await queryRows<TaskRow>(
        m,
        `UPDATE case_tasks SET title = $4, assignee = $5, done = $6, done_at = CASE WHEN $6 THEN COALESCE(done_at, clock_timestamp()) ELSE NULL END, updated_at = clock_timestamp()
         WHERE tenant_id = $1 AND case_id = $2 AND id = $3 RETURNING ${TASK_COLUMNS}`,
        [principal.tenantId, caseId, taskId, patch.title ?? task.title, patch.assignee !== undefined ? patch.assignee : task.assignee, patch.done ?? task.done],
      );
      const after = updated[0]!;
      const doneChange = changes['done'];
      const kind = doneChange ? (doneChange.to ? 'task_completed' : 'task_reopened') : 'task_updated';
      const what = doneChange ? (doneChange.to ? 'done' : 'reopened') : `changed (${Object.keys(changes).join(', ')})`;
      await appendCaseEvent(m, { tenantId: principal.tenantId, caseId, actor: principal.actor, kind, message: `task "${after.title}" ${what}`, data: { taskId, changes } });
      await m.query(`UPDATE cases SET updated_at = now() WHERE tenant_id = $1 AND id = $2`, [principal.tenantId, caseId]);
      await recordAudit(m, auditBy(principal, origin, 'case.task_updated', `case:${caseId}`, { taskId, changes }));
      return taskViewOf(after);
    });
  }
}
