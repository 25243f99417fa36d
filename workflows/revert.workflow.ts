import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RevertActivities } from './contracts/revert-activities.js';
import type { ExpireContainmentInput, RevertCaseInput, RevertCaseResult } from './contracts/revert-messages.js';

/** Inverse calls are regular activities with short attempts; rate limits and vendor outages are waited out by retries. */
function activities(): RevertActivities {
  return proxyActivities<RevertActivities>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 10, initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
  });
}

function failureMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}

/**
 * Undoes everything a case contained (id `revert-<caseId>`, started by `POST /api/v1/cases/{id}/revert`):
 * each successful containment from the ledger, newest first, by its inverse action. Ones already
 * reverted (by an earlier revert or their expiry) are skipped; one that fails is reported and the
 * others still run. Every inverse call's idempotency key is this workflow's id + the original key.
 */
export async function revertCaseWorkflow(input: RevertCaseInput): Promise<RevertCaseResult> {
  const { listRevertibleContainments, revertContainment, recordRevertEvent } = activities();
  const workflowId = workflowInfo().workflowId;
  const base = { tenantId: input.tenantId, caseId: input.caseId, workflowId, actor: input.requestedBy };
  const items = await listRevertibleContainments({ tenantId: input.tenantId, caseId: input.caseId });
  const open = items.filter((i) => !i.reverted).length;
  await recordRevertEvent({
    ...base,
    name: 'revert_started',
    kind: 'revert_started',
    message: `revert requested by ${input.requestedBy}: ${open} containment action(s) to undo${items.length > open ? `, ${items.length - open} already reverted` : ''}`,
    data: { containments: items.map((i) => i.containmentId) },
  });
  const result: RevertCaseResult = { reverted: 0, skipped: 0, failed: 0 };
  const failures: Array<{ containmentId: string; action: string; error: string }> = [];
  for (const item of items) {
    if (item.reverted) {
      result.skipped += 1;
      continue;
    }
    try {
      const done = await revertContainment({
        tenantId: input.tenantId,
        caseId: input.caseId,
        containmentId: item.containmentId,
        workflowId,
        reason: 'requested',
        requestedBy: input.requestedBy,
      });
      if (done.outcome === 'reverted') result.reverted += 1;
      else result.skipped += 1;
    } catch (error) {
      result.failed += 1;
      const message = failureMessage(error);
      failures.push({ containmentId: item.containmentId, action: item.action, error: message });
      await recordRevertEvent({
        ...base,
        name: `revert_failed:${item.containmentId}`,
        kind: 'revert_failed',
        message: `could not revert ${item.action}${item.target ? ` on ${item.target}` : ''}: ${message}`,
        data: { containmentId: item.containmentId, action: item.action, inverse: item.inverse, error: message },
      });
    }
  }
  await recordRevertEvent({
    ...base,
    name: 'revert_finished',
    kind: 'revert_finished',
    message: `revert finished: ${result.reverted} reverted, ${result.skipped} already reverted, ${result.failed} failed`,
    data: { ...result, failures },
  });
  return result;
}

/**
 * Undoes one containment once its `expiresIn` has passed (id `expire-<containmentId>`, started
 * with that start delay by the activity that contained). Nothing to do if it was reverted meanwhile.
 */
export async function expireContainmentWorkflow(input: ExpireContainmentInput): Promise<{ outcome: string }> {
  const { revertContainment } = activities();
  try {
    const done = await revertContainment({
      tenantId: input.tenantId,
      caseId: input.caseId,
      containmentId: input.containmentId,
      workflowId: workflowInfo().workflowId,
      reason: 'expired',
      requestedBy: 'system',
      expiresIn: input.expiresIn,
    });
    return { outcome: done.outcome };
  } catch (error) {
    if (input.caseId) {
      const { recordRevertEvent } = activities();
      await recordRevertEvent({
        tenantId: input.tenantId,
        caseId: input.caseId,
        workflowId: workflowInfo().workflowId,
        actor: 'system',
        name: 'revert_failed',
        kind: 'revert_failed',
        message: `containment expired but could not be reverted: ${failureMessage(error)}`,
        data: { containmentId: input.containmentId },
      });
    }
    throw ApplicationFailure.nonRetryable(`expiry of containment ${input.containmentId} failed: ${failureMessage(error)}`, 'ExpiryFailed');
  }
}
