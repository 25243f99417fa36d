import { proxyLocalActivities, workflowInfo } from '@temporalio/workflow';

/** The baseline's activities (bench/engine-baseline-worker.ts). */
export interface EngineBaselineActivities {
  /** The same enrichment a Vigil action step runs (through Vigil's action runner), without Vigil's bookkeeping. */
  lookup(input: { tenantId: string; ip: string; idempotencyKey: string }): Promise<unknown>;
  /** Nothing at all: Temporal's floor for one local activity. */
  noop(): Promise<void>;
}

export interface EngineBaselineInput {
  tenantId: string;
  ip: string;
  steps: number;
  mode: 'lookup' | 'noop';
}

/**
 * What a developer would write by hand for "look this IP up 20 times in a row": one local activity
 * per step, with the same options Vigil gives enrichment steps.
 */
export async function engineBaselineWorkflow(input: EngineBaselineInput): Promise<number> {
  const { lookup, noop } = proxyLocalActivities<EngineBaselineActivities>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 3, initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' },
  });
  const id = workflowInfo().workflowId;
  for (let i = 0; i < input.steps; i += 1) {
    if (input.mode === 'noop') await noop();
    else await lookup({ tenantId: input.tenantId, ip: input.ip, idempotencyKey: `${id}:${i}` });
  }
  return input.steps;
}
