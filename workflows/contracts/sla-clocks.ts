import { defineSignal } from '@temporalio/workflow';

/**
 * What the SLA clock workflow and the worker agree on. The workflow holds no clock arithmetic: an
 * activity re-reads the case's facts, plans and records its clocks, pages whoever is due, and answers
 * with the next instant worth waking for.
 */

export interface SlaClocksInput {
  tenantId: string;
  caseId: string;
}

export interface SlaClocksResult {
  /** Why the workflow ended: every clock stopped and nothing left to page, no policy covers the case, or the case is gone. */
  ended: 'stopped' | 'no_policy' | 'no_case';
  evaluations: number;
}

/** A fact that moves the case's clocks was written (the reasons are for the history's reader only). */
export const slaFactsChangedSignal = defineSignal<[reasons: string[]]>('slaFactsChanged');

export function slaClocksWorkflowId(caseId: string): string {
  return `sla:${caseId}`;
}

export interface EvaluateSlaClocksInput {
  tenantId: string;
  caseId: string;
  workflowId: string;
}

export interface SlaEvaluation {
  /** Epoch ms of the next threshold, due instant or escalation level; null when only a signal can change anything (an open hold). */
  nextWakeAt: number | null;
  /** Nothing left to wait for: the workflow may end (a later fact starts it again). */
  done: SlaClocksResult['ended'] | null;
}

export interface SlaActivities {
  evaluateSlaClocks(input: EvaluateSlaClocksInput): Promise<SlaEvaluation>;
}
