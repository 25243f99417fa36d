/** Inputs, results and ids of the revert workflows (started by the API and by expiring containment). */

export interface RevertCaseInput {
  tenantId: string;
  caseId: string;
  /** Who asked (`api-key:<id>`, `user:<id>`): the timeline names them. */
  requestedBy: string;
}

export interface RevertCaseResult {
  reverted: number;
  /** Already reverted (by an earlier revert or their expiry). */
  skipped: number;
  failed: number;
}

export interface ExpireContainmentInput {
  tenantId: string;
  caseId: string | null;
  containmentId: string;
  /** The step's `expiresIn`, for the timeline. */
  expiresIn: string;
}

export const REVERT_CASE_WORKFLOW_TYPE = 'revertCaseWorkflow';
export const EXPIRE_CONTAINMENT_WORKFLOW_TYPE = 'expireContainmentWorkflow';

/** One revert per case at a time: `POST /api/v1/cases/{id}/revert` starts this id. */
export function revertWorkflowId(caseId: string): string {
  return `revert-${caseId}`;
}

/** The workflow that waits out a containment's `expiresIn` and then undoes it. */
export function expiryWorkflowId(containmentId: string): string {
  return `expire-${containmentId}`;
}
