import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { ApprovalGate } from './approval-gate.js';
import type { PinnedPlaybook, StepStatus } from './case-messages.js';
import { type ForeachItemResult, type InterpreterHost, PlaybookInterpreter } from './playbook-interpreter.js';
import type { CaseStatusName, EndStep, ForeachStep, Playbook, RetrySpec, Step } from './playbook.types.js';

/** What every child run shares with the case run that started it. */
interface ChildRunContext {
  tenantId: string;
  caseId: string;
  regularActions: string[];
  dryRun: boolean;
  requestedBy: string;
  subPlaybooks: Record<string, PinnedPlaybook>;
  /** Notify template files pinned with the case's run. */
  templates?: Record<string, string>;
}

function childHost(input: ChildRunContext, approvals: ApprovalGate): InterpreterHost {
  return {
    tenantId: input.tenantId,
    caseId: input.caseId,
    regularActions: new Set(input.regularActions),
    steps: new Map<string, StepStatus>(),
    alertCount: () => 0,
    hearsAlerts: false,
    dryRun: input.dryRun,
    requestedBy: input.requestedBy,
    subPlaybooks: input.subPlaybooks,
    approvals,
    topLevel: false,
    templates: input.templates ?? {},
  };
}

export interface ForeachChunkInput extends ChildRunContext {
  step: Pick<ForeachStep, 'id' | 'as' | 'steps'>;
  /** Action steps outside the body that approvals in it guard. */
  guarded: Step[];
  items: unknown[];
  /** Index of the first item in the whole list. */
  offset: number;
  concurrency: number;
  /** The part of the enclosing scope the body reads. */
  scope: Record<string, unknown>;
  /** The foreach step's visit: item visits are keyed `<visitBase>[<index>]/…` as in the parent. */
  visitBase: string;
  retry?: RetrySpec;
}

export interface ForeachChunkResult {
  items: ForeachItemResult[];
  end?: EndStep;
}

/**
 * A chunk of a large foreach's items (id `<parent workflow id>/<step id>/<visit>/chunk-<n>`), run
 * with the same interpreter, so the parent's history grows with the number of chunks, not items.
 */
export async function foreachChunkWorkflow(input: ForeachChunkInput): Promise<ForeachChunkResult> {
  const approvals = new ApprovalGate();
  approvals.install();
  const interpreter = new PlaybookInterpreter(input.step.steps, childHost(input, approvals), input.guarded);
  try {
    return await interpreter.runItems(input.step, input.items, input.offset, input.concurrency, { scope: input.scope, prefix: '', retry: input.retry }, input.visitBase);
  } finally {
    // The step lines this chunk still holds: the parent never sees them.
    await interpreter.flushLines();
  }
}

export interface SubPlaybookInput extends ChildRunContext {
  playbook: Playbook;
  playbookHash: string;
  /** `alert`, `case`, `observables` of the case and the sub-playbook's `inputs`. */
  scope: Record<string, unknown>;
}

export interface SubPlaybookResult {
  status?: CaseStatusName;
  resolution?: string;
  /** The sub-playbook's variables (`set` steps and action `output`s): what the caller reads back. */
  vars: Record<string, unknown>;
  stepsRun: number;
}

/**
 * A sub-playbook (id `<parent workflow id>/<step id>/<visit>`): its own steps, variables and
 * approvals; its step lines go to the same case timeline. It fails when its run fails, so the
 * calling step's `retry` can start it again and its `onFailure` applies.
 */
export async function subPlaybookWorkflow(input: SubPlaybookInput): Promise<SubPlaybookResult> {
  const approvals = new ApprovalGate();
  approvals.install();
  const scope: Record<string, unknown> = { ...input.scope, steps: {}, vars: {} };
  const interpreter = new PlaybookInterpreter(input.playbook.steps, childHost(input, approvals));
  const outcome = await interpreter.run(scope);
  await interpreter.flushLines();
  if (outcome.runStatus === 'failed') {
    throw ApplicationFailure.create({
      message: `playbook ${input.playbook.id} failed: ${outcome.error ?? 'unknown error'}`,
      type: 'SubPlaybookFailed',
      details: [{ workflowId: workflowInfo().workflowId }],
    });
  }
  return { status: outcome.status, resolution: outcome.resolution, vars: scope['vars'] as Record<string, unknown>, stepsRun: outcome.stepsRun };
}
