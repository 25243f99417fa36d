import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { StepLine } from '../../workflows/contracts/case-activities.js';
import type { CaseStatusName } from '../../workflows/language/playbook.types.js';
import { applyPlaybookStatus } from './playbook-status.js';
import { appendCaseEvent, appendCaseEvents, caseEventInsert, type NewCaseEvent } from './timeline-insert.js';

// The statements other repositories write a line with, inside their own transactions.
export { appendCaseEvent, appendCaseEvents, caseEventInsert, type NewCaseEvent } from './timeline-insert.js';

/** A step's own line, with what it changes on the case. */
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

/** How a run ends on its case: the case's run status, and its status change if the playbook asks for one. */
export interface RunEndWrite {
  tenantId: string;
  caseId: string;
  runStatus: 'completed' | 'failed';
  status?: CaseStatusName;
  resolution?: string;
  /** The run's last step lines, written with its end. */
  lines?: readonly StepLine[];
}

/** The case's run moves from `pending` to `running` with the run's first write (in the caller's transaction). */
export async function markRunRunning(m: EntityManager, tenantId: string, caseId: string): Promise<void> {
  await m.query(`UPDATE cases SET run_status = 'running', updated_at = now() WHERE tenant_id = $1 AND id = $2 AND run_status = 'pending'`, [tenantId, caseId]);
}

function lineEvents(tenantId: string, caseId: string, lines: readonly StepLine[]): NewCaseEvent[] {
  return lines.map((l) => ({ tenantId, caseId, actor: 'playbook', kind: l.kind, stepId: l.stepId, message: l.message, data: l.data, dedupKey: l.dedupKey, at: new Date(l.at) }));
}

function stepEvent(e: StepEventInput): NewCaseEvent {
  return { tenantId: e.tenantId, caseId: e.caseId, actor: 'playbook', kind: e.kind, stepId: e.stepId, message: e.message, data: e.data, dedupKey: e.dedupKey, at: e.at };
}

/**
 * The case timeline (`case_events`) and what a playbook run changes on its case with it (run status,
 * status changes). Every write is idempotent on its dedup key, so retried activities and replays
 * write once; each method is one statement, or one transaction when the case changes too.
 */
@Injectable()
export class TimelineRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** One line on its own: one INSERT, no transaction. */
  async append(e: NewCaseEvent): Promise<void> {
    await appendCaseEvent(this.db.manager, e);
  }

  /** Lines a run handed over (see StepLine), and its move to `running` when it is the run's first write. */
  async appendLines(tenantId: string, caseId: string, lines: readonly StepLine[], firstStep: boolean): Promise<void> {
    if (!firstStep) return appendCaseEvents(this.db.manager, lineEvents(tenantId, caseId, lines));
    await this.db.transaction(async (m) => {
      await appendCaseEvents(m, lineEvents(tenantId, caseId, lines));
      await markRunRunning(m, tenantId, caseId);
    });
  }

  /** A step's line after the lines carried to it, with the run's move to `running` and the step's status change, in one transaction; a line already written changes nothing. */
  async appendStep(e: StepEventInput, carried: readonly StepLine[]): Promise<void> {
    await this.db.transaction(async (m) => {
      // Earlier steps' lines first: they happened before this one.
      await appendCaseEvents(m, lineEvents(e.tenantId, e.caseId, carried));
      const fresh = await appendCaseEvent(m, stepEvent(e));
      if (!fresh) return;
      if (e.firstStep) await markRunRunning(m, e.tenantId, e.caseId);
      if (e.status) await applyPlaybookStatus(m, { tenantId: e.tenantId, caseId: e.caseId, to: e.status, dedupKey: `${e.dedupKey}:status` });
    });
  }

  /** A step's line that changes nothing on the case: one INSERT on its own, a round trip or two less than a transaction. */
  async appendStepLine(e: StepEventInput): Promise<void> {
    await appendCaseEvent(this.db.manager, stepEvent(e));
  }

  /**
   * The run's end (`finished`, idempotent on its key) with its last lines, the status change and the
   * case's run status. The case changes only with a fresh end.
   */
  async endRun(run: RunEndWrite, finished: NewCaseEvent): Promise<void> {
    const status = run.status;
    if (!status) {
      // No status change (that goes through the lifecycle table): the held lines, the run's end and the
      // case's run status in one statement, so one round trip.
      const params: unknown[] = [run.tenantId, run.caseId, run.runStatus, run.resolution ?? null];
      const held = run.lines?.length ? `held AS (${caseEventInsert(lineEvents(run.tenantId, run.caseId, run.lines), params)}), ` : '';
      await this.db.query(
        `WITH ${held}fin AS (${caseEventInsert([finished], params)} RETURNING id)
         UPDATE cases SET run_status = $3, resolution = COALESCE($4, resolution), updated_at = now() WHERE tenant_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM fin)`,
        params,
      );
      return;
    }
    await this.db.transaction(async (m) => {
      await appendCaseEvents(m, lineEvents(run.tenantId, run.caseId, run.lines ?? []));
      // The status change first (idempotent on its own key), so the timeline reads in the order things happened.
      await applyPlaybookStatus(m, { tenantId: run.tenantId, caseId: run.caseId, to: status, resolution: run.resolution, dedupKey: `${finished.dedupKey}:status` });
      const fresh = await appendCaseEvent(m, finished);
      if (!fresh) return;
      // The resolution went in with the status change (through the lifecycle table).
      await m.query(`UPDATE cases SET run_status = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2`, [run.tenantId, run.caseId, run.runStatus]);
    });
  }
}
