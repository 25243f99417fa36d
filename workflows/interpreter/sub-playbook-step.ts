import { ApplicationFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import type { StepRef } from '../contracts/case-activities.js';
import { type SubPlaybookInput, type SubPlaybookResult, type SubPlaybookWorkflow, SUB_PLAYBOOK_WORKFLOW } from '../contracts/child-workflows.js';
import type { SubPlaybookStep } from '../language/playbook.types.js';
import { CONTINUE, type Frame, retryPolicy, type Route, type StepRun } from './step-run.js';

/** A `playbook` step: the pinned sub-playbook in a child workflow; its variables come back as the output. */
export async function runSubPlaybook(run: StepRun, step: SubPlaybookStep, frame: Frame, ref: StepRef, startedAt: number): Promise<Route> {
  const host = run.host;
  const pinned = host.subPlaybooks[step.playbook];
  if (!pinned) throw ApplicationFailure.nonRetryable(`playbook '${step.playbook}' was not pinned with this run`, 'UnknownPlaybook');
  const inputs: Record<string, unknown> = {};
  for (const declared of pinned.playbook.inputs ?? []) if (declared.default !== undefined) inputs[declared.name] = declared.default;
  for (const [name, expression] of Object.entries(step.inputs ?? {})) inputs[name] = run.eval(expression, frame.scope);
  const input: SubPlaybookInput = {
    tenantId: host.tenantId,
    caseId: host.caseId,
    playbook: pinned.playbook,
    playbookHash: pinned.hash,
    ...(pinned.reads !== undefined ? { reads: pinned.reads } : {}),
    scope: { alert: frame.scope['alert'], case: frame.scope['case'], observables: frame.scope['observables'], inputs },
    regularActions: [...host.regularActions],
    dryRun: host.dryRun,
    requestedBy: host.requestedBy,
    posters: host.approvals.postersSoFar(),
    subPlaybooks: host.subPlaybooks,
    templates: host.templates,
  };
  run.lines.flushSoon();
  const result: SubPlaybookResult = await executeChild<SubPlaybookWorkflow>(SUB_PLAYBOOK_WORKFLOW, {
    workflowId: `${workflowInfo().workflowId}/${step.id}/${ref.visit}`,
    args: [input],
    // Without `retry` a failed sub-playbook is not started again: its steps retry on their own.
    retry: step.retry ? retryPolicy(step.retry) : { maximumAttempts: 1 },
  });
  run.recordOutput(step, frame, result);
  run.recordFinished(step, ref, startedAt, `playbook ${pinned.playbook.id} ${pinned.playbook.version} finished after ${result.stepsRun} step(s)`, {
    playbookId: pinned.playbook.id,
    playbookVersion: pinned.playbook.version,
    playbookHash: pinned.hash,
    status: result.status,
  });
  return CONTINUE;
}
