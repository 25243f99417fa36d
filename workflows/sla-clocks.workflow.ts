import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { type SlaActivities, type SlaClocksInput, type SlaClocksResult, slaFactsChangedSignal } from './contracts/sla-clocks.js';

/** A run continues as new after this many evaluations, so its history stays small however long the case stays open. */
const EVALUATIONS_PER_RUN = 200;

/**
 * The SLA clocks of one case (id `sla:<caseId>`), started and signalled by the outbox relay with
 * signal-with-start whenever a fact that moves them is written. Each round, one activity re-reads the
 * facts, records thresholds, breaches and pages, and names the next instant to wake at; the workflow
 * sleeps on a Temporal timer until then or until the next signal, whichever comes first. It trusts no
 * instant it did not just get from that activity, and holds no state a restart could lose.
 */
export async function slaClocksWorkflow(input: SlaClocksInput): Promise<SlaClocksResult> {
  let changed = false;
  setHandler(slaFactsChangedSignal, () => {
    changed = true;
  });
  const { evaluateSlaClocks } = proxyActivities<SlaActivities>({
    // The activity heartbeats every second: a worker that dies mid-evaluation is noticed after 3 s, not after a minute.
    startToCloseTimeout: '60s',
    heartbeatTimeout: '3s',
    retry: { initialInterval: '200ms', maximumInterval: '5s', backoffCoefficient: 2 },
  });
  const workflowId = workflowInfo().workflowId;
  for (let evaluations = 1; ; evaluations++) {
    changed = false;
    const evaluation = await evaluateSlaClocks({ tenantId: input.tenantId, caseId: input.caseId, workflowId });
    // A signal that came in while the activity ran may change the answer: evaluate again first.
    if (evaluation.done !== null && !changed) return { ended: evaluation.done, evaluations };
    if (!changed) {
      if (evaluation.nextWakeAt === null) await condition(() => changed);
      else {
        const wait = evaluation.nextWakeAt - Date.now();
        if (wait > 0) await condition(() => changed, wait);
      }
    }
    if (evaluations >= EVALUATIONS_PER_RUN || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof slaClocksWorkflow>(input);
  }
}
