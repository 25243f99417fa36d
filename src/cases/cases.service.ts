import { Inject, Injectable, Logger } from '@nestjs/common';
import { alertPath } from '../alerts/index.js';
import { ApprovalsService } from '../approvals/index.js';
import type { ApprovalView } from '../approvals/index.js';
import { type AppConfig, APP_CONFIG } from '../config/config.schema.js';
import { notFound, VigilError } from '../common/errors/vigil-error.js';
import { type ClockView, SlaClockService } from '../sla/index.js';
import { Orchestrator } from '../temporal/index.js';
import type { CaseRunState } from '../../workflows/contracts/case-messages.js';
import { allowedTransitions } from '../common/case-lifecycle.js';
import { nextCaseCursor } from './case-list.query.js';
import { caseAttacks, caseObservables } from './case-observables.js';
import { CASE_ID, type CaseRow, caseSummaryOf, commentViewOf, taskViewOf } from './case-rows.js';
import { CasesRepository } from './cases.repository.js';
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
  /** The case's SLA clocks (acknowledge, contain, resolve), each computed at read time over its stored plan. */
  sla: { clocks: ClockView[] };
}

/** Reads cases for the API; every query is scoped by tenant, and another tenant's case is simply not found. */
@Injectable()
export class CasesService {
  private readonly logger = new Logger('CasesService');

  constructor(
    @Inject(CasesRepository) private readonly cases: CasesRepository,
    @Inject(Orchestrator) private readonly orchestrator: Orchestrator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ApprovalsService) private readonly approvalsService: ApprovalsService,
    @Inject(SlaClockService) private readonly slaClocks: SlaClockService,
  ) {}

  async list(tenantId: string, query: ListCasesQuery): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
    let rows: Array<CaseRow & Record<string, unknown>>;
    try {
      rows = await this.cases.list(tenantId, query);
    } catch (error) {
      // Only a cursor carries values PostgreSQL parses itself (timestamps); a malformed one is the caller's error.
      if (query.cursor && String((error as { code?: string }).code ?? '').startsWith('22')) {
        throw new VigilError('invalid_cursor', 'the cursor is not one this endpoint issued');
      }
      throw error;
    }
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const items = page.map((r) =>
      query.sort === 'sla_due' ? { ...caseSummaryOf(r), slaDueAt: r['sla_due_at'] ? new Date(r['sla_due_at'] as string).toISOString() : null } : caseSummaryOf(r),
    );
    return { items, nextCursor: rows.length > query.limit && last ? nextCaseCursor(query, last) : null };
  }

  /** A case's summary (the row only), for answers to writes. */
  async summary(tenantId: string, id: string): Promise<CaseSummary> {
    if (!CASE_ID.test(id)) throw notFound('case', id);
    const row = await this.cases.row(tenantId, id);
    if (!row) throw notFound('case', id);
    return caseSummaryOf(row);
  }

  async get(tenantId: string, id: string): Promise<CaseView> {
    if (!CASE_ID.test(id)) throw notFound('case', id);
    const c = await this.cases.detail(tenantId, id);
    if (!c) throw notFound('case', id);
    const [rows, events, comments, tasks, approvals, live, clocks] = await Promise.all([
      this.cases.alerts(tenantId, id),
      this.cases.timeline(tenantId, id),
      this.cases.comments(tenantId, id),
      this.cases.tasks(tenantId, id),
      this.approvalsService.list(tenantId, { caseId: id, limit: 200 }).then((r) => r.items),
      this.liveState(id, c.run_status),
      this.slaClocks.caseClocks(tenantId, id),
    ]);
    const alerts: Array<Record<string, unknown>> = rows.map((a) => ({ ...a, links: { self: alertPath(String(a['id'])) } }));
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
      sla: { clocks },
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
