import { ApplicationFailure } from '@temporalio/common';
import { findAction } from '../../integrations/index.js';
import type { ApprovalsRepository } from '../approvals/index.js';
import { renderParams, renderTemplate } from '../templating/index.js';
import type { AdvanceApprovalInput, CaseActivities, OpenApprovalInput, OpenApprovalResult, RecordApprovalVoteInput } from '../../workflows/contracts/case-activities.js';

interface GuardView {
  action: string | null;
  target: string | null;
  params: unknown;
  error?: string;
}

/** The guarded action as approvers see it: key, target and parameters rendered with what the run knows now. */
function describeGuard(guard: OpenApprovalInput['guard'], scope: Record<string, unknown>): GuardView {
  if (!guard) return { action: null, target: null, params: null };
  const definition = findAction(guard.action);
  let params: unknown;
  try {
    params = renderParams(guard.params, scope);
  } catch (error) {
    // A later step may feed the guarded action; approvers then see its parameters as written.
    return { action: guard.action, target: null, params: guard.params, error: `parameters not rendered yet: ${(error as Error).message}` };
  }
  const parsed = definition?.input.safeParse(params);
  const target = parsed?.success && definition?.describeTarget ? definition.describeTarget(parsed.data) : null;
  return { action: guard.action, target: target ?? null, params };
}

function roleList(roles: readonly string[]): string {
  return roles.join(' or ');
}

/**
 * The approval step's activities: the approval row, its votes and its escalations, each written
 * with its timeline line (and, for decisions, its audit line) in one transaction.
 */
export function createApprovalActivities(approvals: ApprovalsRepository): Pick<CaseActivities, 'openApproval' | 'recordApprovalVote' | 'advanceApproval'> {
  return {
    async openApproval(input: OpenApprovalInput): Promise<OpenApprovalResult> {
      let question: string;
      try {
        question = renderTemplate(input.question, input.scope);
      } catch (error) {
        throw ApplicationFailure.nonRetryable(`the approval question could not be rendered: ${(error as Error).message}`, 'TemplateError');
      }
      const guard = describeGuard(input.guard, input.scope);
      const level = input.levels[0]!;
      const opened = await approvals.open(
        {
          id: input.approvalId,
          tenantId: input.tenantId,
          caseId: input.caseId,
          workflowId: input.workflowId,
          stepId: input.stepId,
          visit: input.visit,
          question,
          action: guard.action,
          target: guard.target,
          params: guard.params,
          evidence: input.evidence,
          levels: input.levels,
          quorum: input.quorum,
          defaultOutcome: input.defaultOutcome,
          requestedBy: input.requestedBy,
          expiresAt: input.expiresAt,
        },
        {
          tenantId: input.tenantId,
          caseId: input.caseId,
          actor: 'playbook',
          kind: 'approval_requested',
          stepId: input.stepId,
          message: `approval asked: "${question}"${guard.action ? ` before ${guard.action}${guard.target ? ` on ${guard.target}` : ''}` : ''} (level 1: ${roleList(level.roles)}, quorum ${input.quorum}, ${level.timeout})`,
          data: {
            approvalId: input.approvalId,
            action: guard.action,
            target: guard.target,
            params: guard.params,
            ...(guard.error ? { paramsError: guard.error } : {}),
            evidence: input.evidence,
            quorum: input.quorum,
            levels: input.levels,
            expiresAt: new Date(input.expiresAt).toISOString(),
          },
          dedupKey: `${input.workflowId}:${input.stepId}:${input.visit}:approval_requested`,
        },
        input.firstStep,
      );
      return { approvalId: opened.id, question: opened.question, action: opened.action, target: opened.target, params: opened.params };
    },

    async recordApprovalVote(input: RecordApprovalVoteInput): Promise<void> {
      const { vote } = input;
      const decided = input.status === 'approved' || input.status === 'rejected';
      const outcome = input.status === 'approved' ? 'approve' : input.status === 'rejected' ? 'reject' : null;
      const reason = decided ? `${input.status} by ${vote.actorId}${vote.comment ? `: ${vote.comment}` : ''}` : null;
      const tally = `${input.approvals} of ${input.quorum}`;
      const verb = vote.decision === 'approve' ? 'approved' : 'rejected';
      const message = decided
        ? `approval ${input.status} by ${vote.actorId} (${tally})${vote.comment ? `: ${vote.comment}` : ''}`
        : `approval: ${vote.actorId} ${verb} (${tally}), waiting for more${vote.comment ? `: ${vote.comment}` : ''}`;
      // What the timeline line and the audit entry both say about the vote.
      const facts = {
        decision: vote.decision,
        comment: vote.comment ?? null,
        via: vote.via,
        level: vote.level,
        status: input.status,
        approvals: input.approvals,
        quorum: input.quorum,
      };
      // A vote is appended once (an actor votes once); a counted vote never changes the status, so an
      // escalation or expiry written meanwhile is kept.
      await approvals.addVote(
        { tenantId: input.tenantId, approvalId: input.approvalId, vote, status: input.status, outcome, reason },
        {
          tenantId: input.tenantId,
          caseId: input.caseId,
          actor: vote.actorId,
          kind: decided ? 'approval_decided' : 'approval_vote',
          stepId: input.stepId,
          message,
          data: { approvalId: input.approvalId, ...facts },
          dedupKey: `${input.workflowId}:${input.stepId}:approval:${input.approvalId}:vote:${vote.actorId}`,
        },
        {
          tenantId: input.tenantId,
          actor: vote.actorId,
          action: decided ? 'approval.decided' : 'approval.voted',
          target: `approval:${input.approvalId}`,
          details: { caseId: input.caseId, ...facts },
          ip: input.origin?.ip ?? null,
          userAgent: input.origin?.userAgent ?? null,
        },
      );
    },

    async advanceApproval(input: AdvanceApprovalInput): Promise<void> {
      const { change } = input;
      const at = { tenantId: input.tenantId, approvalId: input.approvalId };
      const line = {
        tenantId: input.tenantId,
        caseId: input.caseId,
        actor: 'playbook',
        stepId: input.stepId,
        data: { approvalId: input.approvalId, ...change },
        dedupKey: `${input.workflowId}:${input.stepId}:approval:${input.approvalId}:${change.kind}:${'level' in change ? change.level : 0}`,
      };
      if (change.kind === 'escalated') {
        await approvals.advance(
          { ...at, kind: 'escalated', levelIndex: change.level - 1, expiresAt: change.expiresAt },
          {
            ...line,
            kind: 'approval_escalated',
            message: `approval escalated to level ${change.level} (${roleList(change.roles)}): no decision in time`,
          },
        );
      } else if (change.kind === 'expired') {
        await approvals.advance(
          { ...at, kind: 'expired', outcome: change.outcome, reason: `no decision by the end of level ${change.level}: default outcome ${change.outcome}` },
          { ...line, kind: 'approval_expired', message: `approval expired after level ${change.level}: default outcome ${change.outcome}` },
          {
            tenantId: input.tenantId,
            actor: 'playbook',
            action: 'approval.expired',
            target: `approval:${input.approvalId}`,
            details: { caseId: input.caseId, level: change.level, outcome: change.outcome },
          },
        );
      } else {
        await approvals.advance(
          { ...at, kind: 'cancelled', reason: `cancelled: ${change.reason}` },
          { ...line, kind: 'approval_cancelled', message: `approval withdrawn: ${change.reason}` },
        );
      }
    },
  };
}
