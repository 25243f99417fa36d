import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { findAction } from '../../integrations/index.js';
import type { ApprovalsRepository } from '../approvals/index.js';
import type { CaseRunsService, StepEventInput } from '../cases/index.js';
import { readTemplateFile } from '../playbooks/index.js';
import { renderTemplate } from '../templating/index.js';
import { isTemplateFile } from '../../workflows/language/template-files.js';
import type { ActionCallResult, ActionRunner } from './action-runner.js';
import { createApprovalActivities } from './approval-activities.js';
import { type FailedLine, withCarriedLines } from './carried-lines.js';
import type { CaseActivities, CompleteRunInput, RecordLinesInput, RecordStepInput, RunActionInput, RunActionResult, StepLine } from '../../workflows/contracts/case-activities.js';

export interface CaseActivityDeps {
  runs: CaseRunsService;
  actions: ActionRunner;
  approvals: ApprovalsRepository;
  /** Where notify steps find template files (`playbooks/templates`). */
  templatesDir: string;
}

function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1;
  }
}

/** The integration action behind each notification channel. */
export const NOTIFY_CHANNELS: Readonly<Record<string, string>> = {
  slack: 'slack.post_message',
  email: 'email.send',
  pagerduty: 'pagerduty.trigger',
};

/**
 * A notify step's action and parameters: the template becomes the message text of the channel's
 * action (Slack `text`, email `text`, PagerDuty `summary`), next to the step's `with`. The template
 * stays a template: the action runner renders it once, so data is never compiled.
 */
export function notifyCall(channel: string, template: string, params: Record<string, unknown>): { action: string; params: Record<string, unknown> } {
  const action = NOTIFY_CHANNELS[channel] ?? (findAction(channel)?.kind === 'notification' ? channel : undefined);
  if (!action) {
    throw ApplicationFailure.nonRetryable(`unknown notification channel '${channel}'; the channels are ${Object.keys(NOTIFY_CHANNELS).join(', ')}`, 'UnknownChannel');
  }
  switch (action) {
    case 'email.send':
      return { action, params: { subject: 'Vigil notification', ...params, text: template } };
    case 'pagerduty.trigger':
      return { action, params: { source: 'vigil', severity: 'warning', ...params, summary: template } };
    default:
      return { action, params: { ...params, text: template } };
  }
}

/** An action step's line: what it called, on what, and what it needs to be undone. */
function actionLine(input: RunActionInput, key: string, action: string, result: ActionCallResult, startedAt: number): StepLine {
  const inverse = findAction(action)?.inverse;
  return {
    stepId: input.stepId,
    dedupKey: key,
    kind: 'step_finished',
    message: `${result.dryRun ? 'dry run: would call' : 'called'} ${action}${result.target ? ` on ${result.target}` : ''}${result.expiresAt ? ` (reverts itself after ${input.expiresIn})` : ''}${result.heldMs ? ` (waited ${result.heldMs} ms for the tenant's rate limit)` : ''}`,
    data: {
      action,
      target: result.target,
      input: result.input,
      // Containment records how to undo it: the inverse action takes the same input.
      ...(inverse ? { inverse } : {}),
      // No vendor call was made: the enrichment cache or the containment ledger answered.
      ...(result.reused ? { reused: result.reused } : {}),
      ...(result.expiresAt ? { expiresAt: result.expiresAt } : {}),
      ...(result.heldMs ? { heldMs: result.heldMs } : {}),
      ...(input.notify ? { channel: input.notify.channel } : {}),
      // The approval that let this step through (it guarded it).
      ...(input.override ? { approvalId: input.override.approvalId } : {}),
      startedAt: new Date(input.scheduledAt).toISOString(),
      durationMs: Date.now() - startedAt,
      dryRun: result.dryRun,
    },
    at: Date.now(),
  };
}

/** A failed attempt's line, one per attempt. */
function actionFailedLine(input: RunActionInput, key: string, action: string, error: unknown): FailedLine {
  const n = attempt();
  return {
    stepId: input.stepId,
    dedupKey: `${key}:failed:${n}`,
    kind: 'step_failed',
    message: `${action} failed (attempt ${n}): ${(error as Error).message}`,
    data: { action, attempt: n, error: (error as Error).message, startedAt: new Date(input.scheduledAt).toISOString() },
  };
}

/**
 * The case workflow's activities. Each writes its own timeline line in one transaction with the work
 * it did, and the lines the workflow carried to it (withCarriedLines); the idempotency key (workflow
 * id + step id + visit) makes retries and replays write once.
 */
export function createCaseActivities(deps: CaseActivityDeps): CaseActivities {
  /** A notify step's template text: pinned with the run, inline, or (runs pinned before templates were) read from its file now. */
  async function templateText(notify: { template: string; pinned?: boolean }): Promise<string> {
    if (notify.pinned || !isTemplateFile(notify.template)) return notify.template;
    try {
      return await readTemplateFile(deps.templatesDir, notify.template);
    } catch (error) {
      throw ApplicationFailure.nonRetryable((error as Error).message, 'TemplateError');
    }
  }

  return {
    async runAction(input: RunActionInput): Promise<RunActionResult> {
      const key = `${input.workflowId}:${input.stepId}:${input.visit}`;
      const startedAt = Date.now();
      let { action, params } = input;
      return withCarriedLines(
        deps.runs,
        input,
        async () => {
          if (input.notify) ({ action, params } = notifyCall(input.notify.channel, await templateText(input.notify), input.params));
          const result = await deps.actions.run({
            tenantId: input.tenantId,
            action,
            params,
            scope: input.scope,
            idempotencyKey: key,
            dryRun: input.dryRun,
            caseId: input.caseId,
            workflowId: input.workflowId,
            stepId: input.stepId,
            expiresIn: input.expiresIn,
            override: input.override,
          });
          return { output: result.output, target: result.target, line: actionLine(input, key, action, result, startedAt) };
        },
        (error) => actionFailedLine(input, key, action, error),
      );
    },

    async recordStep(input: RecordStepInput): Promise<void> {
      const line: StepEventInput = {
        tenantId: input.tenantId,
        caseId: input.caseId,
        stepId: input.stepId,
        dedupKey: `${input.workflowId}:${input.stepId}:${input.visit}`,
        kind: input.kind,
        message: input.message,
        data: input.data,
        status: input.status,
        firstStep: input.firstStep,
      };
      // Held lines go in the same transaction, before this one.
      await deps.runs.recordStep(line, input.lines);
    },

    async recordLines(input: RecordLinesInput): Promise<void> {
      await deps.runs.recordLines(input.tenantId, input.caseId, input.lines, input.firstStep);
    },

    async completeRun(input: CompleteRunInput): Promise<void> {
      const { summaryScope, ...rest } = input;
      let summary = input.summary;
      if (summary !== undefined && summary.includes('{{')) {
        try {
          summary = renderTemplate(summary, summaryScope ?? {});
        } catch (error) {
          // The run is over either way; keep the summary as written, with why it was not rendered.
          summary = `${summary} (not rendered: ${(error as Error).message})`;
        }
      }
      await deps.runs.completeRun({ ...rest, summary });
    },

    ...createApprovalActivities(deps.approvals),
  };
}
