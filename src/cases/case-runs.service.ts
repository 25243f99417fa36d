import { Inject, Injectable } from '@nestjs/common';
import type { StepLine } from '../../workflows/contracts/case-activities.js';
import type { CaseStatusName } from '../../workflows/language/playbook.types.js';
import { type NewCaseEvent, type StepEventInput, TimelineRepository } from '../timeline/index.js';

export type { StepEventInput } from '../timeline/index.js';

/**
 * What a playbook run writes about its case: step lines, status changes, the run's end. Each call is
 * one statement or one transaction (TimelineRepository), made by the activity that did the work; all
 * are idempotent so retries are harmless. Knows nothing of Temporal.
 */
@Injectable()
export class CaseRunsService {
  constructor(@Inject(TimelineRepository) private readonly timeline: TimelineRepository) {}

  /**
   * Lines a run handed over (see StepLine), and its move to `running` when it is the run's first write.
   * One statement on its own, or a transaction when the case changes too.
   */
  async recordLines(tenantId: string, caseId: string, lines: readonly StepLine[] = [], firstStep = false): Promise<void> {
    await this.timeline.appendLines(tenantId, caseId, lines, firstStep);
  }

  /**
   * A step's line, after the lines carried to it. A line that changes nothing on the case is one
   * INSERT on its own; the run's first step and status changes touch the case too, so they go in
   * one transaction.
   */
  async recordStep(e: StepEventInput, carried: readonly StepLine[] = []): Promise<void> {
    if (carried.length === 0 && !e.firstStep && !e.status) return this.timeline.appendStepLine(e);
    await this.timeline.appendStep(e, carried);
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
      dedupKey: `${input.workflowId}:run_finished`,
    };
    await this.timeline.endRun(input, finished);
  }
}
