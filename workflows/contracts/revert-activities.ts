/**
 * Inputs and outputs of the revert workflows' activities (workflows/revert.workflow.ts imports
 * these types only; the implementations are in revert-activities.ts).
 */

export interface RevertibleContainment {
  containmentId: string;
  action: string;
  inverse: string;
  target: string | null;
  /** True when it was already reverted (by an earlier revert or its expiry): it is skipped. */
  reverted: boolean;
  revertReason: string | null;
}

export interface ListRevertibleInput {
  tenantId: string;
  caseId: string;
}

export interface RevertContainmentInput {
  tenantId: string;
  caseId: string | null;
  containmentId: string;
  /** The revert workflow's id: with the original idempotency key it makes the inverse call's key. */
  workflowId: string;
  reason: 'expired' | 'requested';
  /** `api-key:<id>`, `user:<id>`, or `system` for an expiry. */
  requestedBy: string;
  /** For an expiry: the step's `expiresIn`, for the timeline. */
  expiresIn?: string;
}

export interface RevertContainmentResult {
  outcome: 'reverted' | 'already_reverted' | 'not_revertible';
  action: string | null;
  inverse: string | null;
  target: string | null;
}

export interface RecordRevertEventInput {
  tenantId: string;
  caseId: string;
  workflowId: string;
  /** Makes the line idempotent within the workflow. */
  name: string;
  kind: 'revert_started' | 'revert_finished' | 'revert_failed';
  actor: string;
  message: string;
  data?: Record<string, unknown>;
}

export interface RevertActivities {
  listRevertibleContainments(input: ListRevertibleInput): Promise<RevertibleContainment[]>;
  revertContainment(input: RevertContainmentInput): Promise<RevertContainmentResult>;
  recordRevertEvent(input: RecordRevertEventInput): Promise<void>;
}
