import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { CarriedLines, CaseActivities, RunActionInput, StepRef } from '../contracts/case-activities.js';
import type { ActionStep, NotifyStep } from '../language/playbook.types.js';
import { sliceScope } from '../language/scope-reads.js';
import { isTemplateFile } from '../language/template-files.js';
import { type Frame, localOptions, regularOptions, type StepRun } from './step-run.js';

/**
 * An action or notify step ready to call its activity. `runList` makes the call itself: in workflow
 * code every promise costs a stack trace (the SDK records one per promise for its stack trace
 * query), so the activity is scheduled from a shallow stack with no promise of Vigil's own around
 * it, as a hand-written workflow would. bench/engine.bench.ts measures the difference.
 */
export class ActionCall {
  constructor(
    readonly activities: Pick<CaseActivities, 'runAction'>,
    readonly input: RunActionInput,
    /** Held lines this call carries; given back if it fails or does not write them. */
    readonly carried: CarriedLines,
    readonly bindAs: string | undefined,
    readonly startedAt: number,
    readonly ref: StepRef,
  ) {}
}

/** An `action` step: one activity, local unless its action must run as a regular one. Synchronous (see ActionCall). */
export function prepareAction(run: StepRun, step: ActionStep, frame: Frame, ref: StepRef, startedAt: number): ActionCall {
  const input: RunActionInput = {
    ...ref,
    action: step.action,
    params: step.with ?? {},
    scope: sliceScope(frame.scope, run.readsOf(step)),
    scheduledAt: Date.now(),
    dryRun: run.host.dryRun,
    ...(step.expiresIn !== undefined ? { expiresIn: step.expiresIn } : {}),
  };
  const approvalId = run.approved.approvalFor(step.id, frame);
  if (approvalId !== undefined) input.override = { approvalId };
  const regular = run.host.regularActions.has(step.action);
  if (run.nextEndsRun !== undefined && !regular) input.endsRun = run.nextEndsRun;
  const activities = regular ? proxyActivities<CaseActivities>(regularOptions(step, frame)) : proxyLocalActivities<CaseActivities>(localOptions(step, frame));
  return actionCall(run, activities, input, regular, step.output, startedAt, ref);
}

/** A `notify` step: one regular activity. */
export function prepareNotify(run: StepRun, step: NotifyStep, frame: Frame, ref: StepRef, startedAt: number): ActionCall {
  // Notifications are regular activities: they are rate limited by vendors and must not repeat when a workflow task is retried.
  const activities = proxyActivities<CaseActivities>(regularOptions(step, frame));
  const input: RunActionInput = {
    ...ref,
    action: `notify:${step.channel}`,
    params: step.with ?? {},
    notify: notifyTemplate(run, step),
    scope: sliceScope(frame.scope, run.readsOf(step)),
    scheduledAt: Date.now(),
    dryRun: run.host.dryRun,
  };
  return actionCall(run, activities, input, true, undefined, startedAt, ref);
}

/**
 * A local activity carries the held lines and writes them while the vendor answers; a regular one
 * (it may queue behind other work) has them written beside it. Its own line comes back to be held.
 */
function actionCall(
  run: StepRun,
  activities: Pick<CaseActivities, 'runAction'>,
  input: RunActionInput,
  regular: boolean,
  bindAs: string | undefined,
  startedAt: number,
  ref: StepRef,
): ActionCall {
  let carried: CarriedLines = {};
  if (regular) run.lines.flushSoon();
  else carried = run.lines.carry();
  return new ActionCall(activities, { ...input, ...carried, deferLine: true }, carried, bindAs, startedAt, ref);
}

/** The step's template: the text of its file as pinned with the run, when it names one. */
function notifyTemplate(run: StepRun, step: NotifyStep): { channel: string; template: string; pinned?: boolean } {
  const pinned = isTemplateFile(step.template) && Object.hasOwn(run.host.templates, step.template) ? run.host.templates[step.template] : undefined;
  return pinned !== undefined ? { channel: step.channel, template: pinned, pinned: true } : { channel: step.channel, template: step.template };
}
