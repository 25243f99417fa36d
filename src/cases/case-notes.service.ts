import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository } from '../audit/index.js';
import { auditBy } from '../audit/index.js';
import type { RequestOrigin } from '../common/http/request-origin.js';
import { notFound } from '../common/errors/vigil-error.js';
import type { Principal } from '../common/auth/principal.js';
import { appendCaseEvent } from './case-events.js';
import { CASE_ID, commentViewOf, lockCase, taskViewOf } from './case-rows.js';
import { CasesRepository } from './cases.repository.js';
import type { CommentView, PatchTaskBody, TaskView } from './case.schemas.js';
/** How much of a comment the timeline line quotes. */
const QUOTE = 200;

function quote(text: string): string {
  return text.length > QUOTE ? `${text.slice(0, QUOTE - 1)}…` : text;
}

/** Comments and tasks of a case; each write adds a timeline line and one audit row. */
@Injectable()
export class CaseNotesService {
  constructor(
    @Inject(CasesRepository) private readonly cases: CasesRepository,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
  ) {}

  private async ensureCase(tenantId: string, caseId: string): Promise<void> {
    if (!CASE_ID.test(caseId)) throw notFound('case', caseId);
    if (!(await this.cases.exists(tenantId, caseId))) throw notFound('case', caseId);
  }

  async comments(tenantId: string, caseId: string): Promise<{ items: CommentView[] }> {
    await this.ensureCase(tenantId, caseId);
    const rows = await this.cases.comments(tenantId, caseId);
    return { items: rows.map(commentViewOf) };
  }

  async addComment(principal: Principal, origin: RequestOrigin, caseId: string, body: string): Promise<CommentView> {
    return this.cases.transaction(async (m) => {
      await lockCase(this.cases, m, principal.tenantId, caseId, { refuseMerged: true });
      const comment = await this.cases.addComment(m, principal.tenantId, caseId, principal.actor, body);
      await appendCaseEvent(m, {
        tenantId: principal.tenantId,
        caseId,
        actor: principal.actor,
        kind: 'comment_added',
        message: `comment: ${quote(body)}`,
        data: { commentId: comment.id },
      });
      await this.cases.touch(m, principal.tenantId, caseId);
      await this.audit.record(m, auditBy(principal, origin, 'case.commented', `case:${caseId}`, { commentId: comment.id, length: body.length }));
      return commentViewOf(comment);
    });
  }

  async tasks(tenantId: string, caseId: string): Promise<{ items: TaskView[] }> {
    await this.ensureCase(tenantId, caseId);
    const rows = await this.cases.tasks(tenantId, caseId);
    return { items: rows.map(taskViewOf) };
  }

  async addTask(principal: Principal, origin: RequestOrigin, caseId: string, input: { title: string; assignee?: string | null }): Promise<TaskView> {
    return this.cases.transaction(async (m) => {
      await lockCase(this.cases, m, principal.tenantId, caseId, { refuseMerged: true });
      const task = await this.cases.addTask(m, principal.tenantId, caseId, { title: input.title, assignee: input.assignee ?? null, createdBy: principal.actor });
      await appendCaseEvent(m, {
        tenantId: principal.tenantId,
        caseId,
        actor: principal.actor,
        kind: 'task_created',
        message: `task "${task.title}" created${task.assignee ? ` for ${task.assignee}` : ''}`,
        data: { taskId: task.id, title: task.title, assignee: task.assignee },
      });
      await this.cases.touch(m, principal.tenantId, caseId);
      await this.audit.record(m, auditBy(principal, origin, 'case.task_created', `case:${caseId}`, { taskId: task.id, title: task.title, assignee: task.assignee }));
      return taskViewOf(task);
    });
  }

  async updateTask(principal: Principal, origin: RequestOrigin, caseId: string, taskId: string, patch: PatchTaskBody): Promise<TaskView> {
    if (!CASE_ID.test(taskId)) throw notFound('task', taskId);
    return this.cases.transaction(async (m) => {
      await lockCase(this.cases, m, principal.tenantId, caseId, { refuseMerged: true });
      const task = await this.cases.lockTask(m, principal.tenantId, caseId, taskId);
      if (!task) throw notFound('task', taskId);
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      if (patch.title !== undefined && patch.title !== task.title) changes['title'] = { from: task.title, to: patch.title };
      if (patch.assignee !== undefined && patch.assignee !== task.assignee) changes['assignee'] = { from: task.assignee, to: patch.assignee };
      if (patch.done !== undefined && patch.done !== task.done) changes['done'] = { from: task.done, to: patch.done };
      if (Object.keys(changes).length === 0) return taskViewOf(task);
      const after = await this.cases.updateTask(m, principal.tenantId, caseId, taskId, {
        title: patch.title ?? task.title,
        assignee: patch.assignee !== undefined ? patch.assignee : task.assignee,
        done: patch.done ?? task.done,
      });
      const doneChange = changes['done'];
      const kind = doneChange ? (doneChange.to ? 'task_completed' : 'task_reopened') : 'task_updated';
      const what = doneChange ? (doneChange.to ? 'done' : 'reopened') : `changed (${Object.keys(changes).join(', ')})`;
      await appendCaseEvent(m, { tenantId: principal.tenantId, caseId, actor: principal.actor, kind, message: `task "${after.title}" ${what}`, data: { taskId, changes } });
      await this.cases.touch(m, principal.tenantId, caseId);
      await this.audit.record(m, auditBy(principal, origin, 'case.task_updated', `case:${caseId}`, { taskId, changes }));
      return taskViewOf(after);
    });
  }
}
