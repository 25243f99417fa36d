import type { CaseAlertMessage, CaseRunState, CaseWorkflowInput } from '../../workflows/case-messages.js';

/**
 * Port: how the API drives case workflows. Controllers and services never touch the Temporal client
 * directly; the Temporal adapter implements this.
 */
export abstract class Orchestrator {
  /** Starts the case workflow if needed and hands it new alerts (signal-with-start). */
  abstract deliverAlerts(input: CaseWorkflowInput & { severityId: number }, alerts: CaseAlertMessage[]): Promise<void>;
  /** Live step states of a case's run, or undefined when there is no run. */
  abstract runState(caseId: string): Promise<CaseRunState | undefined>;
  /** True when the Temporal frontend answers. */
  abstract isReachable(): Promise<boolean>;
}
