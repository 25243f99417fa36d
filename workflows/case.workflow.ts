import { condition, continueAsNew, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CaseActivities } from './contracts/case-activities.js';
import {
  alertsAddedSignal,
  type CaseAlertMessage,
  caseClosedSignal,
  caseMergedSignal,
  type CaseRunState,
  type CaseWorkflowInput,
  runStateQuery,
  type StepStatus,
} from './contracts/case-messages.js';
import { ApprovalGate } from './interpreter/approval-gate.js';
import { PlaybookInterpreter } from './interpreter/playbook-interpreter.js';

export interface CaseWorkflowResult {
  runStatus: 'completed' | 'failed';
  alertsSeen: number;
  /** Set when the case was merged into another case. */
  mergedInto?: string;
}

/** Observable values of the case grouped by kind (`observables.ip`, `observables.domain`, …), deduplicated. */
function groupObservables(alerts: CaseAlertMessage[]): Record<string, string[]> {
  const grouped: Record<string, string[]> = {};
  for (const alert of alerts) {
    const list = alert.observables ?? alert.finding['observables'];
    if (!Array.isArray(list)) continue;
    for (const o of list as Array<{ kind?: unknown; value?: unknown }>) {
      if (typeof o.kind !== 'string' || typeof o.value !== 'string') continue;
      const values = (grouped[o.kind] ??= []);
      if (!values.includes(o.value)) values.push(o.value);
    }
  }
  return grouped;
}

/**
 * One workflow per case (id `case-<caseId>`), started by the outbox relay with signal-with-start.
 * It runs the case's pinned playbook once, then stays open to hear about new alerts until the
 * case is closed or has been idle for `idleTimeout`.
 */
export async function caseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  const seen = new Set<string>(input.seenAlertIds ?? []);
  const alerts: CaseAlertMessage[] = input.firstAlert ? [input.firstAlert] : [];
  let closed = false;
  const steps = new Map<string, StepStatus>();
  let runStatus: CaseRunState['runStatus'] = input.playbookDone ? 'completed' : 'waiting_for_alert';

  // Decisions on the run's approvals arrive as the `decideApproval` Update; whoever posted an alert
  // the run heard (before the vote) is a requester and may not approve.
  const approvals = new ApprovalGate();
  approvals.install();
  if (input.firstAlert?.postedBy !== undefined) approvals.addPoster(input.firstAlert.postedBy);
  setHandler(alertsAddedSignal, (incoming) => {
    for (const alert of incoming) {
      // The relay delivers at least once; the workflow makes it exactly once.
      if (seen.has(alert.alertId)) continue;
      seen.add(alert.alertId);
      alerts.push(alert);
      if (alert.postedBy !== undefined) approvals.addPoster(alert.postedBy);
    }
  });
  setHandler(caseClosedSignal, () => {
    closed = true;
  });
  let mergedInto: string | undefined;
  setHandler(caseMergedSignal, ({ intoCaseId }) => {
    mergedInto = intoCaseId;
    closed = true;
  });
  setHandler(runStateQuery, () => ({
    playbookId: input.playbook.id,
    playbookVersion: input.playbook.version,
    playbookHash: input.playbookHash,
    runStatus,
    steps: [...steps.values()],
    alertsSeen: seen.size,
  }));

  if (!input.playbookDone) {
    // Signal-with-start delivers the first alert with the start: usually nothing to wait for.
    if (alerts.length === 0 && !closed) await condition(() => alerts.length > 0 || closed);
    const first = alerts[0];
    if (first) {
      runStatus = 'running';
      const scope: Record<string, unknown> = {
        // Playbooks read Vigil's observables (with `kind`, `is_private`) as `alert.observables`; the stored finding stays pure OCSF.
        alert: { ...first.finding, observables: first.observables ?? first.finding['observables'] ?? [] },
        case: { id: input.caseId, tenantId: input.tenantId },
        steps: {},
        vars: {},
        inputs: Object.fromEntries((input.playbook.inputs ?? []).map((i) => [i.name, i.default])),
        observables: groupObservables(alerts),
      };
      const interpreter = new PlaybookInterpreter(input.playbook.steps, {
        tenantId: input.tenantId,
        caseId: input.caseId,
        regularActions: new Set(input.regularActions ?? []),
        steps,
        alertCount: () => alerts.length,
        hearsAlerts: true,
        dryRun: input.dryRun ?? false,
        requestedBy: input.startedBy ?? 'playbook',
        subPlaybooks: input.subPlaybooks ?? {},
        approvals,
        topLevel: true,
        templates: input.templates ?? {},
        ...(input.reads !== undefined ? { reads: input.reads } : {}),
      });
      const outcome = await interpreter.run(scope);
      runStatus = outcome.runStatus;
      // The run's last step lines go in with its end, in one transaction, unless the last step's
      // activity wrote the end already (then only lines given back since are left, if any).
      const held = interpreter.takeLines();
      const carried = held instanceof Promise ? await held : held;
      if (!outcome.endWritten || carried.lines) {
        const { completeRun } = proxyLocalActivities<CaseActivities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 10, initialInterval: '200ms' } });
        await completeRun({ tenantId: input.tenantId, caseId: input.caseId, workflowId: workflowInfo().workflowId, ...outcome, ...carried });
      }
    }
  }

  // Stay open for more alerts; continue-as-new keeps the history of a months-long case bounded.
  let handled = alerts.length;
  while (!closed) {
    const woke = await condition(() => closed || alerts.length > handled, input.idleTimeout);
    if (!woke) break;
    handled = alerts.length;
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof caseWorkflow>({ ...input, seenAlertIds: [...seen], playbookDone: true, firstAlert: undefined });
    }
  }
  return { runStatus: runStatus === 'failed' ? 'failed' : 'completed', alertsSeen: seen.size, ...(mergedInto ? { mergedInto } : {}) };
}
