import { Context } from '@temporalio/activity';
import type { CaseRunsService } from '../cases/case-runs.service.js';
import type { ActionRunner } from './action-runner.js';
import type { CaseActivities, CompleteRunInput, RecordStepInput, RunActionInput, RunActionResult } from './case-activity.types.js';

export interface CaseActivityDeps {
  runs: CaseRunsService;
  actions: ActionRunner;
}

function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/**
 * The case workflow's activities. Each writes its own timeline line in one transaction with the work
 * it did; the idempotency key (workflow id + step id + visit) makes retries and replays write once.
 */
export function createCaseActivities(deps: CaseActivityDeps): CaseActivities {
  return {
    async runAction(input: RunActionInput): Promise<RunActionResult> {
      const key = `${input.workflowId}:${input.stepId}:${input.visit}`;
      const startedAt = Date.now();
      try {
        const result = await deps.actions.run({
          tenantId: input.tenantId,
          action: input.action,
          params: input.params,
          scope: input.scope,
          idempotencyKey: key,
          dryRun: input.dryRun,
        });
        await deps.runs.recordStep({
          tenantId: input.tenantId,
          caseId: input.caseId,
          stepId: input.stepId,
          dedupKey: key,
          kind: 'step_finished',
          message: `${result.dryRun ? 'dry run: would call' : 'called'} ${input.action}${result.target ? ` on ${result.target}` : ''}`,
          data: { action: input.action, target: result.target, input: result.input, output: result.output, durationMs: Date.now() - startedAt, dryRun: result.dryRun },
          firstStep: input.firstStep,
        });
        return { output: result.output, target: result.target };
      } catch (error) {
        const n = attempt();
        await deps.runs.recordStep({
          tenantId: input.tenantId,
          caseId: input.caseId,
          stepId: input.stepId,
          dedupKey: `${key}:failed:${n}`,
          kind: 'step_failed',
          message: `${input.action} failed (attempt ${n}): ${(error as Error).message}`,
          data: { action: input.action, attempt: n, error: (error as Error).message },
          firstStep: input.firstStep,
        });
        throw error;
      }
    },

    async recordStep(input: RecordStepInput): Promise<void> {
      await deps.runs.recordStep({
        tenantId: input.tenantId,
        caseId: input.caseId,
        stepId: input.stepId,
        dedupKey: `${input.workflowId}:${input.stepId}:${input.visit}`,
        kind: input.kind,
        message: input.message,
        data: input.data,
        status: input.status,
        firstStep: input.firstStep,
      });
    },

    async completeRun(input: CompleteRunInput): Promise<void> {
      await deps.runs.completeRun(input);
    },
  };
}
