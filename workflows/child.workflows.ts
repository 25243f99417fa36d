import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { ApprovalGate } from './interpreter/approval-gate.js';
import type { StepStatus } from './contracts/case-messages.js';
import type { ChildRunContext, ForeachChunkInput, ForeachChunkResult, SubPlaybookInput, SubPlaybookResult } from './contracts/child-workflows.js';
import { type InterpreterHost, PlaybookInterpreter } from './interpreter/playbook-interpreter.js';

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
    ...(input.reads !== undefined ? { reads: input.reads } : {}),
  };
}

/**
 * A chunk of a large foreach's items (id `<parent workflow id>/<step id>/<visit>/chunk-<n>`), run
 * with the same interpreter, so the parent's history grows with the number of chunks, not items.
 */
export async function foreachChunkWorkflow(input: ForeachChunkInput): Promise<ForeachChunkResult> {
  const approvals = new ApprovalGate(input.posters);
  approvals.install();
  const interpreter = new PlaybookInterpreter(input.step.steps, childHost(input, approvals), input.guarded);
  try {
    return await interpreter.runItems(input.step, input.items, input.offset, input.concurrency, { scope: input.scope, prefix: '', retry: input.retry }, input.visitBase);
  } finally {
    // The step lines this chunk still holds: the parent never sees them.
    await interpreter.flushLines();
  }
}

/**
 * A sub-playbook (id `<parent workflow id>/<step id>/<visit>`): its own steps, variables and
 * approvals; its step lines go to the same case timeline. It fails when its run fails, so the
 * calling step's `retry` can start it again and its `onFailure` applies.
 */
export async function subPlaybookWorkflow(input: SubPlaybookInput): Promise<SubPlaybookResult> {
  const approvals = new ApprovalGate(input.posters);
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
