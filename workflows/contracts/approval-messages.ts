import { defineUpdate } from '@temporalio/workflow';

/** Who decides: an id (`user:<id>` for a user's key or link, else `api-key:<id>`) and the roles they hold in the approval's tenant. */
export interface ApprovalActor {
  id: string;
  roles: string[];
}

export type ApprovalDecision = 'approve' | 'reject';

export interface DecideApprovalInput {
  approvalId: string;
  decision: ApprovalDecision;
  comment?: string;
  actor: ApprovalActor;
  /** How the decision arrived, for the timeline and the audit trail. */
  via?: 'api' | 'link' | 'slack';
  /** Where the request came from, for the audit line (never shown in the votes). */
  origin?: { ip: string | null; userAgent: string | null };
}

/** `counted`: vote recorded, quorum not reached; `too_late`: decided or expired meanwhile. */
export type DecideApprovalOutcome = 'counted' | 'approved' | 'rejected' | 'too_late';

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

export interface DecideApprovalResult {
  outcome: DecideApprovalOutcome;
  status: ApprovalStatus;
  approvals: number;
  quorum: number;
}

/**
 * Why the workflow refused a decision (the `type` of the ApplicationFailure its validator throws).
 * The API maps the first three to 409 `conflict`, the next two to 403 `forbidden`.
 */
export const APPROVAL_REFUSALS = ['already_decided', 'too_late', 'already_voted', 'forbidden_role', 'self_approval', 'unknown_approval'] as const;
export type ApprovalRefusal = (typeof APPROVAL_REFUSALS)[number];

/** An analyst's vote on a pending approval; the validator runs before anything is written to history. */
export const decideApprovalUpdate = defineUpdate<DecideApprovalResult, [DecideApprovalInput]>('decideApproval');
