import type { ApprovalRefusal, DecideApprovalInput, DecideApprovalResult } from '../../workflows/contracts/approval-messages.js';
import type { CaseAlertMessage, CaseRunState, CaseWorkflowInput } from '../../workflows/contracts/case-messages.js';

/** The run refused a decision on an approval (its Update validator said why). */
export class ApprovalRefusedError extends Error {
  override readonly name = 'ApprovalRefusedError';
  constructor(
    readonly refusal: ApprovalRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** A revert of this case is already running. */
export class RevertAlreadyRunningError extends Error {
  override readonly name = 'RevertAlreadyRunningError';
  constructor(readonly workflowId: string) {
    super(`revert workflow ${workflowId} is already running`);
  }
}

/**
 * Port: how the API drives case workflows. Controllers and services never touch the Temporal client
 * directly; the Temporal adapter implements this.
 */
export abstract class Orchestrator {
  /** Starts the case workflow if needed and hands it new alerts (signal-with-start). */
  abstract deliverAlerts(input: CaseWorkflowInput & { severityId: number }, alerts: CaseAlertMessage[]): Promise<void>;
  /** Starts the case's SLA clock workflow (`sla:<caseId>`) if needed and tells it its facts changed (signal-with-start). */
  abstract signalSlaClocks(tenantId: string, caseId: string, reasons: string[]): Promise<void>;
  /** Live step states of a case's run, or undefined when there is no run. */
  abstract runState(caseId: string): Promise<CaseRunState | undefined>;
  /** True when the Temporal frontend answers. */
  abstract isReachable(): Promise<boolean>;
  /** Tells a case's workflow that the case was merged into another (it stops waiting for alerts); false when the case has no running workflow. */
  abstract signalCaseMerged(caseId: string, intoCaseId: string): Promise<boolean>;
  /** Tells a case's workflow the case is finished (closed, resolved, false positive); false when it has no run. */
  abstract signalCaseClosed(caseId: string): Promise<boolean>;
  /** Starts `revertCaseWorkflow` (id `revert-<caseId>`) on the case task queue; throws RevertAlreadyRunningError while one runs. */
  abstract requestRevert(tenantId: string, caseId: string, requestedBy: string): Promise<{ workflowId: string }>;
  /**
   * Hands a decision to the workflow waiting on an approval (the `decideApproval` Update) and says
   * what happened. Throws ApprovalRefusedError when the workflow refuses it; a run that has ended
   * refuses with `too_late`.
   */
  abstract decideApproval(workflowId: string, input: DecideApprovalInput): Promise<DecideApprovalResult>;
}
