import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApprovalsService } from '../approvals/approvals.service.js';
import type { ApprovalView } from '../approvals/approval.schemas.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { Orchestrator } from '../temporal/orchestrator.port.js';
import type { CaseRunState } from '../../workflows/contracts/case-messages.js';
import { allowedTransitions } from './case-lifecycle.js';
import { caseListSql, nextCaseCursor } from './case-list.query.js';
import { caseAttacks, caseObservables } from './case-observables.js';
import { CASE_ID, CASE_ROW_COLUMNS, type CaseRow, caseSummaryOf } from './case-rows.js';
import type { AttackView, CaseSummary, CommentView, ListCasesQuery, ObservableView, TaskView } from './case.schemas.js';

/** A case view never waits longer than this for the live step states. */
const RUN_STATE_TIMEOUT_MS = 1_500;

export interface CaseView extends CaseSummary {
  run: {
    status: string;
    playbookId: string | null;
    playbookVersion: string | null;
    playbookHash: string | null;
    workflowId: string;
    temporalUrl: string;
    live: CaseRunState | null;
  };
  allowedTransitions: string[];
  alerts: Array<Record<string, unknown>>;
  observables: ObservableView[];
  attacks: AttackView[];
  approvals: ApprovalView[];
  tasks: TaskView[];
  comments: CommentView[];
  timeline: Array<Record<string, unknown>>;
}

interface DetailRow extends CaseRow {
  playbook_id: string | null;
  playbook_version: string | null;
  playbook_hash: string | null;
  workflow_id: string;
}


export function commentViewOf(r: { id: string; author: string; body: string; created_at: Date }): CommentView {
  return { id: r.id, author: r.author, body: r.body, createdAt: new Date(r.created_at).toISOString() };
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

/** The SQL of a case view (each takes tenant id and case id); the benchmark runs the same text as its baseline. */
export const CASE_DETAIL_SQL = {
  case: `SELECT ${CASE_ROW_COLUMNS}, playbook_id, playbook_version, playbook_hash, workflow_id FROM cases WHERE tenant_id = $1 AND id = $2`,
  alerts: `SELECT id, source, source_uid AS "sourceUid", title, severity_id AS "severityId", event_time AS "time", count,
                first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt", join_reason AS "joinReason",
                finding->'observables' AS observables, finding->'finding_info'->'attacks' AS attacks
         FROM alerts WHERE tenant_id = $1 AND case_id = $2 ORDER BY first_seen_at, id`,
  events: `SELECT id, at, actor, kind, step_id AS "stepId", message, data FROM case_events WHERE tenant_id = $1 AND case_id = $2 ORDER BY at, id`,
  comments: `SELECT id, author, body, created_at FROM case_comments WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id`,
  tasks: `SELECT id, title, assignee, done, created_by, created_at, updated_at, done_at FROM case_tasks WHERE tenant_id = $1 AND case_id = $2 ORDER BY created_at, id`,
} as const;

/** Reads cases for the API; every query is scoped by tenant, and another tenant's case is simply not found. */
@Injectable()
export class CasesService {
  private readonly logger = new Logger('CasesService');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ApprovalsService) private readonly approvalsService: ApprovalsService,
  ) {}

  async list(tenantId: string, query: ListCasesQuery): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
    const { sql, params } = caseListSql(tenantId, query);
    let rows: Array<CaseRow & Record<string, unknown>>;
    try {
      rows = await this.db.query(sql, params);
    } catch (error) {
      // Only a cursor carries values PostgreSQL parses itself (timestamps); a malformed one is the caller's error.
      if (query.cursor && String((error as { code?: string }).code ?? '').startsWith('22')) {
        throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
      }
      throw error;
    }
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return { items: page.map(caseSummaryOf), nextCursor: rows.length > query.limit && last ? nextCaseCursor(query, last) : null };
  }

  /** A case's summary (the row only), for answers to writes. */
  async summary(tenantId: string, id: string): Promise<CaseSummary> {
    if (!CASE_ID.test(id)) throw notFound('case', id);
    const rows: CaseRow[] = await this.db.query(`SELECT ${CASE_ROW_COLUMNS} FROM cases WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    if (!rows[0]) throw notFound('case', id);
    return caseSummaryOf(rows[0]);
  }

  async get(tenantId: string, id: string): Promise<CaseView> {
    if (!CASE_ID.test(id)) throw notFound('case', id);
    const rows: DetailRow[] = await this.db.query(CASE_DETAIL_SQL.case, [tenantId, id]);
    const c = rows[0];
    if (!c) throw notFound('case', id);
    const [alerts, events, comments, tasks, approvals, live] = await Promise.all([
      this.db.query(CASE_DETAIL_SQL.alerts, [tenantId, id]) as Promise<Array<Record<string, unknown>>>,
      this.db.query(CASE_DETAIL_SQL.events, [tenantId, id]) as Promise<Array<Record<string, unknown>>>,
      this.db.query(CASE_DETAIL_SQL.comments, [tenantId, id]) as Promise<Array<{ id: string; author: string; body: string; created_at: Date }>>,
      this.db.query(CASE_DETAIL_SQL.tasks, [tenantId, id]) as Promise<TaskRow[]>,
      this.approvalsService.list(tenantId, { caseId: id, limit: 200 }).then((r) => r.items),
      this.liveState(id, c.run_status),
    ]);
    // Alerts joining are timeline events too; they are read from the alert rows rather than written twice.
    const joined = alerts.map((a) => ({
      id: `alert:${String(a['id'])}`,
      at: a['firstSeenAt'],
      actor: 'ingest',
      kind: 'alert_joined',
      stepId: null,
      message: `alert "${String(a['title'])}" joined (${(a['joinReason'] as { rule?: string } | null)?.rule ?? 'unknown'})`,
      data: { alertId: a['id'], reason: a['joinReason'] },
    }));
    const timeline = [...joined, ...events].sort((a, b) => new Date(String(a.at)).getTime() - new Date(String(b.at)).getTime());
    const workflowId = c.workflow_id;
    return {
      ...caseSummaryOf(c),
      run: {
        status: c.run_status,
        playbookId: c.playbook_id,
        playbookVersion: c.playbook_version,
        playbookHash: c.playbook_hash,
        workflowId,
        temporalUrl: `${this.config.temporal.uiUrl}/namespaces/${encodeURIComponent(this.config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`,
        live,
      },
      allowedTransitions: c.merged_into ? [] : allowedTransitions(c.status),
      alerts,
      observables: caseObservables(
        alerts.map((a) => ({ observables: a['observables'], attacks: a['attacks'] })),
        events.map((e) => ({ at: e['at'], kind: String(e['kind']), stepId: (e['stepId'] as string | null) ?? null, data: (e['data'] as Record<string, unknown> | null) ?? null })),
      ),
      attacks: caseAttacks(alerts.map((a) => ({ observables: a['observables'], attacks: a['attacks'] }))),
      approvals,
      tasks: tasks.map(taskViewOf),
      comments: comments.map(commentViewOf),
      timeline,
    };
  }

  private async liveState(caseId: string, runStatus: string): Promise<CaseRunState | null> {
    if (runStatus === 'none') return null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), RUN_STATE_TIMEOUT_MS);
      });
      return (await Promise.race([this.orchestrator.runState(caseId), timeout])) ?? null;
    } catch (error) {
      this.logger.debug(`no live state for case ${caseId}: ${(error as Error).message}`);
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
