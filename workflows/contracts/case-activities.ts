import type { ApprovalDecision, ApprovalStatus } from './approval-messages.js';
import type { ApprovalLevel, CaseStatusName } from '../language/playbook.types.js';

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

/**
 * A timeline line a step's activity did not write itself. The workflow holds it (it is part of the
 * activity's recorded result, so a worker crash loses nothing) and hands it to the next activity the
 * run makes, which writes it beside its own work: a step's line never costs a database round trip of
 * its own on the run's critical path. `at` is when the step finished, so the timeline keeps its order.
 */
export interface StepLine {
  stepId: string;
  /** Idempotency key (workflow id, step id, visit): writing a line twice keeps one. */
  dedupKey: string;
  kind: 'step_finished' | 'step_failed' | 'step_skipped';
  message: string;
  data?: Record<string, unknown>;
  /** Epoch ms. */
  at: number;
}

/** Lines an activity writes on the workflow's behalf, next to its own work. */
export interface CarriedLines {
  /** Earlier steps' lines, in order; written idempotently. */
  lines?: StepLine[];
  /** The run's first write: the case's run status moves from `pending` to `running` with it. */
  firstStep?: boolean;
}

export interface RunActionInput extends StepRef, CarriedLines {
  action: string;
  /** Parameters as written in the playbook: string values are handlebars templates rendered here. */
  params: Record<string, unknown>;
  /** Data the templates may read: only the parts of alert, case, steps, vars, inputs, observables, item the step's templates name. */
  scope: Record<string, unknown>;
  /** Epoch ms when the workflow scheduled the step (workflow time), for the timeline. */
  scheduledAt: number;
  /**
   * Return this step's line (`RunActionResult.line`) instead of writing it: the workflow passes it on
   * to its next activity. Failure lines are always written at once.
   */
  deferLine?: boolean;
  /** Dry run: enrichment runs, any other action is recorded as the command it would have sent. */
  dryRun?: boolean;
  /**
   * Set on a run's last step when nothing can come between it and the run's end (an `end` step
   * without a summary, or the end of the playbook): on success the activity ends the run too, in the
   * transaction that writes the step's line, and the workflow needs no completeRun of its own.
   */
  endsRun?: RunEnd;
  /**
   * A notify step: `action` is then ignored; the activity picks the channel's action
   * (`slack` → `slack.post_message`, `email` → `email.send`, `pagerduty` → `pagerduty.trigger`) and
   * builds its parameters around the template (inline text, or a file under playbooks/templates).
   */
  notify?: { channel: string; template: string; /** `template` is the pinned text of the file the step names. */ pinned?: boolean };
  /** Containment: the step's `expiresIn`; the containment undoes itself that long after it succeeded. */
  expiresIn?: string;
  /**
   * Containment of a protected asset: the approval that allows it. Set by the workflow when an
   * approval step guarding this step approved it as an override; the action runner checks the
   * approval row (same tenant and case, approved, guarding this action) before it contains.
   */
  override?: { approvalId: string };
}

export interface RunActionResult {
  output: unknown;
  /** What the action targeted, for the workflow's own state. */
  target?: string;
  /** With `deferLine`: this step's line, without `data.output` (the workflow adds `output` back). */
  line?: StepLine;
  /** True when the carried `lines` (and `firstStep`) were written; otherwise the workflow keeps them for its next activity. */
  linesWritten?: boolean;
  /** With `endsRun`: the run's end was written (with this step's line and the carried lines). */
  runCompleted?: boolean;
}

/** How a run ends when its last step succeeds (see RunActionInput.endsRun). */
export interface RunEnd {
  status?: CaseStatusName;
  resolution?: string;
  /** Steps the run will have taken, the `end` step included. */
  stepsRun: number;
}

export interface RecordStepInput extends StepRef, CarriedLines {
  kind: 'step_finished' | 'step_failed' | 'step_skipped';
  message: string;
  data?: Record<string, unknown>;
  status?: CaseStatusName;
}

export interface RecordLinesInput extends CarriedLines {
  tenantId: string;
  caseId: string;
}

export interface CompleteRunInput extends CarriedLines {
  tenantId: string;
  caseId: string;
  workflowId: string;
  runStatus: 'completed' | 'failed';
  status?: CaseStatusName;
  resolution?: string;
  /** The `end` step's summary: a template, rendered here against `summaryScope`. */
  summary?: string;
  summaryScope?: Record<string, unknown>;
  error?: string;
  stepsRun: number;
}

export interface OpenApprovalInput extends StepRef {
  /** Chosen by the workflow (deterministically), so an update can never reach it before it knows the id. */
  approvalId: string;
  /** The question template, rendered here. */
  question: string;
  scope: Record<string, unknown>;
  /** The action step this approval guards: approvers see its exact action, target and rendered parameters. */
  guard?: { stepId: string; action: string; params: Record<string, unknown> };
  /** The approval's `context` expressions, evaluated by the workflow. */
  evidence: Record<string, unknown>;
  levels: ApprovalLevel[];
  quorum: number;
  defaultOutcome: ApprovalDecision;
  requestedBy: string;
  /** Epoch ms (workflow time) when the first level times out. */
  expiresAt: number;
  firstStep: boolean;
}

export interface OpenApprovalResult {
  approvalId: string;
  question: string;
  action: string | null;
  target: string | null;
  params: unknown;
}

export interface ApprovalVoteRecord {
  actorId: string;
  roles: string[];
  decision: ApprovalDecision;
  comment?: string;
  via: 'api' | 'link' | 'slack';
  /** 1-based level the vote was cast at. */
  level: number;
  /** Epoch ms, workflow time. */
  at: number;
}

export interface RecordApprovalVoteInput {
  tenantId: string;
  caseId: string;
  workflowId: string;
  stepId: string;
  approvalId: string;
  vote: ApprovalVoteRecord;
  /** The approval's status after this vote. */
  status: ApprovalStatus;
  approvals: number;
  quorum: number;
  origin?: { ip: string | null; userAgent: string | null };
}

export type ApprovalChange =
  { kind: 'escalated'; level: number; roles: string[]; expiresAt: number } | { kind: 'expired'; level: number; outcome: ApprovalDecision } | { kind: 'cancelled'; reason: string };

export interface AdvanceApprovalInput {
  tenantId: string;
  caseId: string;
  workflowId: string;
  stepId: string;
  approvalId: string;
  change: ApprovalChange;
}

export interface CaseActivities {
  runAction(input: RunActionInput): Promise<RunActionResult>;
  recordStep(input: RecordStepInput): Promise<void>;
  /** Writes lines the workflow holds, when no other activity is about to carry them (before a wait, at the end of a child run). */
  recordLines(input: RecordLinesInput): Promise<void>;
  completeRun(input: CompleteRunInput): Promise<void>;
  openApproval(input: OpenApprovalInput): Promise<OpenApprovalResult>;
  recordApprovalVote(input: RecordApprovalVoteInput): Promise<void>;
  advanceApproval(input: AdvanceApprovalInput): Promise<void>;
}
