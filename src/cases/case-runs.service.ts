import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { StepLine } from '../../workflows/contracts/case-activities.js';
import type { CaseStatusName } from '../../workflows/language/playbook.types.js';
import { appendCaseEvent, appendCaseEvents, caseEventInsert, type NewCaseEvent } from './case-events.js';
import { applyPlaybookStatus } from './playbook-status.js';

export interface StepEventInput {
  tenantId: string;
  caseId: string;
  stepId: string;
  dedupKey: string;
  kind: 'step_finished' | 'step_failed' | 'step_skipped';
  message: string;
  data?: Record<string, unknown>;
  status?: CaseStatusName;
  firstStep?: boolean;
  at?: Date;
}

/**
 * What a playbook run writes about its case: step lines, status changes, the run's end. Each call is
 * one transaction, made by the activity that did the work; all are idempotent so retries are harmless.
 * Knows nothing of Temporal.
 */
@Injectable()
export class CaseRunsService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /**
   * Lines a run handed over (see StepLine), and its move to `running` when it is the run's first write.
   * One statement on its own, or a transaction when the case changes too.
   */
  async recordLines(tenantId: string, caseId: string, lines: readonly StepLine[] = [], firstStep = false): Promise<void> {
    if (!firstStep) return this.appendLines(this.db.manager, tenantId, caseId, lines);
    await this.db.transaction(async (m) => {
      await this.appendLines(m, tenantId, caseId, lines);
      await this.markRunning(m, tenantId, caseId);
    });
  }

  async recordStep(e: StepEventInput, carried: readonly StepLine[] = []): Promise<void> {
    await this.db.transaction(async (m) => {
      // Earlier steps' lines first: they happened before this one.
      await this.appendLines(m, e.tenantId, e.caseId, carried);
      const fresh = await appendCaseEvent(m, {
        tenantId: e.tenantId,
        caseId: e.caseId,
        actor: 'playbook',
        kind: e.kind,
        stepId: e.stepId,
        message: e.message,
        data: e.data,
        dedupKey: e.dedupKey,
        at: e.at,
      });
      if (!fresh) return;
      if (e.firstStep) await this.markRunning(m, e.tenantId, e.caseId);
      if (e.status) await this.changeStatus(m, e.tenantId, e.caseId, e.status, `${e.dedupKey}:status`);
    });
  }

  async completeRun(input: {
    tenantId: string;
    caseId: string;
    workflowId: string;
    runStatus: 'completed' | 'failed';
    status?: CaseStatusName;
    resolution?: string;
    summary?: string;
    error?: string;
    stepsRun: number;
    /** The run's last step lines, written with its end. */
    lines?: readonly StepLine[];
  }): Promise<void> {
    const dedupKey = `${input.workflowId}:run_finished`;
    const finished: NewCaseEvent = {
      tenantId: input.tenantId,
      caseId: input.caseId,
      actor: 'playbook',
      kind: 'run_finished',
      message:
        input.runStatus === 'completed'
          ? `playbook run completed after ${input.stepsRun} step(s)${input.summary ? `: ${input.summary}` : ''}`
          : `playbook run failed: ${input.error ?? 'unknown error'}`,
      data: { runStatus: input.runStatus, stepsRun: input.stepsRun, error: input.error, summary: input.summary },
      dedupKey,
    };
    const status = input.status;
    if (!status) {
      // No status change (that goes through the lifecycle table): the held lines, the run's end and the
      // case's run status in one statement, so one round trip. The case changes only with a fresh end.
      const params: unknown[] = [input.tenantId, input.caseId, input.runStatus, input.resolution ?? null];
      const held = input.lines?.length ? `held AS (${caseEventInsert(this.lineEvents(input.tenantId, input.caseId, input.lines), params)}), ` : '';
      await this.db.query(
        `WITH ${held}fin AS (${caseEventInsert([finished], params)} RETURNING id)
         UPDATE cases SET run_status = $3, resolution = COALESCE($4, resolution), updated_at = now() WHERE tenant_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM fin)`,
        params,
      );
      return;
    }
    await this.db.transaction(async (m) => {
      await this.appendLines(m, input.tenantId, input.caseId, input.lines ?? []);
      // The status change first (idempotent on its own key), so the timeline reads in the order things happened.
      await this.changeStatus(m, input.tenantId, input.caseId, status, `${dedupKey}:status`, input.resolution);
      const fresh = await appendCaseEvent(m, finished);
      if (!fresh) return;
      // The resolution went in with the status change (through the lifecycle table).
      await m.query(`UPDATE cases SET run_status = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [input.tenantId, input.caseId, input.runStatus]);
    });
  }

  private lineEvents(tenantId: string, caseId: string, lines: readonly StepLine[]): NewCaseEvent[] {
    return lines.map((l) => ({ tenantId, caseId, actor: 'playbook', kind: l.kind, stepId: l.stepId, message: l.message, data: l.data, dedupKey: l.dedupKey, at: new Date(l.at) }));
  }

  private async appendLines(m: EntityManager, tenantId: string, caseId: string, lines: readonly StepLine[]): Promise<void> {
    await appendCaseEvents(m, this.lineEvents(tenantId, caseId, lines));
  }

  private async markRunning(m: EntityManager, tenantId: string, caseId: string): Promise<void> {
    await m.query(`UPDATE cases SET run_status = 'running', updated_at = now() WHERE tenant_id = $1 AND id = $2 AND run_status = 'pending'`, [tenantId, caseId]);
  }

  private async changeStatus(m: EntityManager, tenantId: string, caseId: string, status: CaseStatusName, dedupKey: string, resolution?: string): Promise<boolean> {
    return applyPlaybookStatus(m, { tenantId, caseId, to: status, resolution, dedupKey });
  }
}
