import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { findAction } from '../../integrations/core/catalog.js';
import type { ApprovalStore } from '../approvals/approval-store.js';
import type { DataSource } from 'typeorm';
import { appendCaseEvent } from '../cases/case-events.js';
import type { CaseRunsService, StepEventInput } from '../cases/case-runs.service.js';
import { readTemplateFile } from '../playbooks/notify-templates.js';
import { renderTemplate } from '../templating/template-renderer.js';
import { isTemplateFile } from '../../workflows/language/template-files.js';
import type { ActionRunner } from './action-runner.js';
import type {
  AdvanceApprovalInput,
  CarriedLines,
  CaseActivities,
  CompleteRunInput,
  OpenApprovalInput,
  OpenApprovalResult,
  RecordApprovalVoteInput,
  RecordLinesInput,
  RecordStepInput,
  RunActionInput,
  RunActionResult,
  StepLine,
} from '../../workflows/contracts/case-activities.js';

export interface CaseActivityDeps {
  runs: CaseRunsService;
  /** Lets plain step lines skip the transaction (see stepLine); without it every line goes through `runs`. */
  db?: DataSource;
  actions: ActionRunner;
  approvals: ApprovalStore;
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

/**
 * The case workflow's activities. Each writes its own timeline line in one transaction with the work
 * it did; the idempotency key (workflow id + step id + visit) makes retries and replays write once.
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

  /**
   * A step's timeline line. Most are one INSERT on their own (idempotent on the key), without a
   * transaction: a round trip or two less per step. The run's first step and status changes touch the
   * case too, so they go through the case runs service in one transaction.
   */
  async function stepLine(e: StepEventInput): Promise<void> {
    if (e.firstStep || e.status || !deps.db) return deps.runs.recordStep(e);
    await appendCaseEvent(deps.db.manager, { tenantId: e.tenantId, caseId: e.caseId, actor: 'playbook', kind: e.kind, stepId: e.stepId, message: e.message, data: e.data, dedupKey: e.dedupKey });
  }

  /**
   * Writes the lines a workflow handed over (and the run's move to `running`), next to the activity's
   * own work. Never throws: on failure it says so, and the workflow keeps the lines for its next activity.
   */
  async function carriedLines(input: CarriedLines & { tenantId: string; caseId: string }): Promise<boolean> {
    if (!input.lines?.length && !input.firstStep) return true;
    try {
      await deps.runs.recordLines(input.tenantId, input.caseId, input.lines, input.firstStep);
      return true;
    } catch {
      return false;
    }
  }

  return {
    async runAction(input: RunActionInput): Promise<RunActionResult> {
      const key = `${input.workflowId}:${input.stepId}:${input.visit}`;
      const startedAt = Date.now();
      let action = input.action;
      let params = input.params;
      // Earlier steps' lines go to PostgreSQL while the vendor answers: off this step's critical path.
      const written = input.deferLine ? carriedLines(input) : undefined;
      try {
        if (input.notify) {
          ({ action, params } = notifyCall(input.notify.channel, await templateText(input.notify), input.params));
        }
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
        const inverse = findAction(action)?.inverse;
        const line: StepLine = {
          stepId: input.stepId,
          dedupKey: key,
          kind: 'step_finished',
          message: `${result.dryRun ? 'dry run: would call' : 'called'} ${action}${result.target ? ` on ${result.target}` : ''}${result.expiresAt ? ` (reverts itself after ${input.expiresIn})` : ''}`,
          data: {
            action,
            target: result.target,
            input: result.input,
            // Containment records how to undo it: the inverse action takes the same input.
            ...(inverse ? { inverse } : {}),
            // No vendor call was made: the enrichment cache or the containment ledger answered.
            ...(result.reused ? { reused: result.reused } : {}),
            ...(result.expiresAt ? { expiresAt: result.expiresAt } : {}),
            ...(input.notify ? { channel: input.notify.channel } : {}),
            // The approval that let this step through (it guarded it).
            ...(input.override ? { approvalId: input.override.approvalId } : {}),
            startedAt: new Date(input.scheduledAt).toISOString(),
            durationMs: Date.now() - startedAt,
            dryRun: result.dryRun,
          },
          at: Date.now(),
        };
        if (written) {
          const linesWritten = await written;
          if (input.endsRun) {
            // The run's last step: its end goes in with this line, in one transaction.
            const lines = [...(linesWritten ? [] : (input.lines ?? [])), { ...line, data: { ...line.data, output: result.output } }];
            try {
              await deps.runs.completeRun({ tenantId: input.tenantId, caseId: input.caseId, workflowId: input.workflowId, runStatus: 'completed', ...input.endsRun, lines });
              return { output: result.output, target: result.target, linesWritten: true, runCompleted: true };
            } catch {
              // The vendor call is done: the workflow ends the run itself, with the line below.
            }
          }
          // The workflow adds `output` back from the result: the history holds it once.
          return { output: result.output, target: result.target, line, linesWritten };
        }
        await stepLine({ ...line, tenantId: input.tenantId, caseId: input.caseId, data: { ...line.data, output: result.output }, at: undefined, firstStep: input.firstStep });
        return { output: result.output, target: result.target };
      } catch (error) {
        const n = attempt();
        // The carried lines were written or will be sent again (the workflow keeps them on a failure).
        await written;
        await stepLine({
          tenantId: input.tenantId,
          caseId: input.caseId,
          stepId: input.stepId,
          dedupKey: `${key}:failed:${n}`,
          kind: 'step_failed',
          message: `${action} failed (attempt ${n}): ${(error as Error).message}`,
          data: { action, attempt: n, error: (error as Error).message, startedAt: new Date(input.scheduledAt).toISOString() },
          firstStep: input.firstStep && !input.deferLine,
        });
        throw error;
      }
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
      if (input.lines?.length) await deps.runs.recordStep(line, input.lines);
      else await stepLine(line);
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

    async openApproval(input: OpenApprovalInput): Promise<OpenApprovalResult> {
      return deps.approvals.open(input);
    },

    async recordApprovalVote(input: RecordApprovalVoteInput): Promise<void> {
      await deps.approvals.recordVote(input);
    },

    async advanceApproval(input: AdvanceApprovalInput): Promise<void> {
      await deps.approvals.advance(input);
    },
  };
}
