import { CancellationScope, condition, isCancellation, proxyActivities, proxyLocalActivities, uuid4 } from '@temporalio/workflow';
import type { CaseActivities, StepRef } from '../contracts/case-activities.js';
import type { ApprovalDecision } from '../contracts/approval-messages.js';
import type { ApprovalStep } from '../language/playbook.types.js';
import { sliceScope } from '../language/scope-reads.js';
import type { ApprovalState } from './approval-gate.js';
import { durationOf, failureMessage, type Frame, localOptions, regularOptions, retryPolicy, type Route, type StepRun } from './step-run.js';

/** Approved approvals by the step they guard (`<frame prefix>|<step id>`, and the bare id), for the run. */
export class ApprovedGuards {
  private readonly byGuard = new Map<string, string>();

  approve(guards: string, frame: Frame, approvalId: string): void {
    this.byGuard.set(`${frame.prefix}|${guards}`, approvalId);
    this.byGuard.set(guards, approvalId);
  }

  /** The approval that lets this action step run (sent as its override), if one approved it. */
  approvalFor(stepId: string, frame: Frame): string | undefined {
    return this.byGuard.get(`${frame.prefix}|${stepId}`) ?? this.byGuard.get(stepId);
  }
}

/**
 * An `approval` step: registers with the run's ApprovalGate, opens the approval, waits each level's
 * timeout (escalating in between), and routes on the outcome.
 */
export async function runApproval(run: StepRun, step: ApprovalStep, frame: Frame, ref: StepRef): Promise<Route> {
  const evidence: Record<string, unknown> = {};
  for (const [label, expression] of Object.entries(step.context ?? {})) {
    try {
      evidence[label] = run.eval(expression, frame.scope) ?? null;
    } catch (error) {
      evidence[label] = { error: failureMessage(error) };
    }
  }
  const guardStep = step.guards !== undefined ? run.stepById(step.guards) : undefined;
  const guard = guardStep?.kind === 'action' ? { stepId: guardStep.id, action: guardStep.action, params: guardStep.with ?? {} } : undefined;
  const quorum = step.quorum ?? 1;
  const state: ApprovalState = {
    approvalId: uuid4(),
    tenantId: run.host.tenantId,
    caseId: run.host.caseId,
    workflowId: ref.workflowId,
    stepId: step.id,
    levels: step.levels,
    levelIndex: 0,
    quorum,
    requestedBy: run.host.requestedBy,
    votes: [],
    status: 'pending',
  };
  // Known to the update handler before the row exists, so no decision can arrive for an unknown id.
  run.host.approvals.register(state);
  const local = proxyLocalActivities<CaseActivities>(localOptions(step, frame));
  run.lines.flushSoon();
  const notifications: Array<Promise<void>> = [];
  const base = { tenantId: state.tenantId, caseId: state.caseId, workflowId: state.workflowId, stepId: step.id, approvalId: state.approvalId };
  try {
    const opened = await local.openApproval({
      ...ref,
      approvalId: state.approvalId,
      question: step.question,
      scope: sliceScope(frame.scope, run.readsOf(step)),
      guard,
      evidence,
      levels: step.levels,
      quorum,
      defaultOutcome: step.defaultOutcome,
      requestedBy: run.host.requestedBy,
      expiresAt: Date.now() + durationOf(step.levels[0]!.timeout),
      // flushSoon above moved the run to `running`.
      firstStep: false,
    });
    for (let level = 0; ; level += 1) {
      const spec = step.levels[level]!;
      if (spec.notify !== undefined) notifications.push(notifyLevel(run, step, frame, ref, opened, level));
      const decided = await condition(() => state.status !== 'pending', spec.timeout);
      if (decided) break;
      if (level + 1 < step.levels.length) {
        // Changed before anything is awaited: from now on the validator checks the next level's roles.
        state.levelIndex = level + 1;
        const nextLevel = step.levels[level + 1]!;
        await local.advanceApproval({ ...base, change: { kind: 'escalated', level: level + 2, roles: nextLevel.roles, expiresAt: Date.now() + durationOf(nextLevel.timeout) } });
      } else {
        state.status = 'expired';
        await local.advanceApproval({ ...base, change: { kind: 'expired', level: level + 1, outcome: step.defaultOutcome } });
        break;
      }
    }
    if (state.persisted) await state.persisted;
    await Promise.all(notifications);
    const outcome: ApprovalDecision = state.status === 'approved' ? 'approve' : state.status === 'rejected' ? 'reject' : step.defaultOutcome;
    run.recordOutput(step, frame, {
      approvalId: state.approvalId,
      outcome,
      status: state.status,
      level: state.levelIndex + 1,
      approvals: state.votes.filter((v) => v.decision === 'approve').length,
      votes: state.votes.map((v) => ({ actor: v.actorId, decision: v.decision, comment: v.comment ?? null, level: v.level })),
    });
    if (step.guards !== undefined && state.status === 'approved') run.approved.approve(step.guards, frame, state.approvalId);
    const target = outcome === 'approve' ? step.onApprove : step.onReject;
    return target !== undefined ? { goto: target } : {};
  } catch (error) {
    if (state.status === 'pending') {
      state.status = 'expired';
      const reason = isCancellation(error) ? 'the step was cancelled' : failureMessage(error);
      await CancellationScope.nonCancellable(() => local.advanceApproval({ ...base, change: { kind: 'cancelled', reason } })).catch(() => undefined);
    }
    throw error;
  }
}

/** Tells a level's channel that the approval waits for it. A failed notification leaves the approval open. */
async function notifyLevel(
  run: StepRun,
  step: ApprovalStep,
  frame: Frame,
  ref: StepRef,
  opened: { approvalId: string; question: string; action: string | null; target: string | null },
  level: number,
): Promise<void> {
  const spec = step.levels[level]!;
  const { runAction } = proxyActivities<CaseActivities>({ ...regularOptions(step, frame), retry: retryPolicy({ maxAttempts: 3, initialInterval: '500ms' }) });
  try {
    await runAction({
      ...ref,
      visit: `${ref.visit}.level${level + 1}`,
      action: `notify:${spec.notify}`,
      params: {},
      notify: { channel: spec.notify!, template: APPROVAL_NOTICE },
      scope: {
        approval: {
          id: opened.approvalId,
          caseId: run.host.caseId,
          question: opened.question,
          action: opened.action ?? 'none',
          target: opened.target ?? 'none',
          level: level + 1,
          escalated: level > 0,
          roles: spec.roles.join(', '),
          timeout: spec.timeout,
        },
      },
      scheduledAt: Date.now(),
      firstStep: false,
      dryRun: run.host.dryRun,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    // runAction wrote the failure to the timeline; the approval stays open.
  }
}

/** The text sent to a level's `notify` channel (data comes from the scope, never compiled). */
const APPROVAL_NOTICE =
  'Approval needed{{#if approval.escalated}} (escalated to level {{approval.level}}){{/if}}: {{approval.question}}\n' +
  'Action: {{approval.action}} on {{approval.target}}\n' +
  'Who: {{approval.roles}}, within {{approval.timeout}}. Case {{approval.caseId}}, approval {{approval.id}}.';
