import type { CaseStatusName } from '../../workflows/playbook.types.js';

/**
 * Inputs and outputs of the activities the case workflow calls. The workflow imports only these
 * types; the implementations live in case-activities.ts and get their services by injection.
 */
export interface StepRef {
  tenantId: string;
  caseId: string;
  workflowId: string;
  stepId: string;
  /** Distinguishes visits of the same step (loops, foreach items): part of every idempotency key. */
  visit: string;
}

export interface RunActionInput extends StepRef {
  action: string;
  /** Parameters as written in the playbook: string values are handlebars templates rendered here. */
  params: Record<string, unknown>;
  /** Data the templates may read: alert, case, steps, vars, inputs, observables, item. */
  scope: Record<string, unknown>;
  /** Epoch ms when the workflow scheduled the step (workflow time), for the timeline. */
  scheduledAt: number;
  /** True for the run's first step: the case's run status moves to `running` in the same transaction. */
  firstStep: boolean;
  /** Dry run: enrichment runs, any other action is recorded as the command it would have sent. */
  dryRun?: boolean;
}

export interface RunActionResult {
  output: unknown;
  /** What the action targeted, for the workflow's own state. */
  target?: string;
}

export interface RecordStepInput extends StepRef {
  kind: 'step_finished' | 'step_failed' | 'step_skipped';
  message: string;
  data?: Record<string, unknown>;
  status?: CaseStatusName;
  firstStep?: boolean;
}

export interface CompleteRunInput {
  tenantId: string;
  caseId: string;
  workflowId: string;
  runStatus: 'completed' | 'failed';
  status?: CaseStatusName;
  resolution?: string;
  summary?: string;
  error?: string;
  stepsRun: number;
}

export interface CaseActivities {
  runAction(input: RunActionInput): Promise<RunActionResult>;
  recordStep(input: RecordStepInput): Promise<void>;
  completeRun(input: CompleteRunInput): Promise<void>;
}
